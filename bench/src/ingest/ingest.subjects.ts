import { createLogger, type DatabaseTarget, type HubDatabase } from '@hub/kit';
import { AgencyKind } from '@hub/schema';
import { openSubgraphDatabase } from '../dataset/dataset.load.js';

/** Roles of the people a source system names as raisers, authors and respondents. */
const FRONT_LINE_ROLES = ['PRACTITIONER', 'LINE_MANAGER', 'SAFEGUARDING_LEAD'];

/** An agency of the board, with the emails of its front-line people (by id). */
export interface FeedAgency {
  id: string;
  kind: AgencyKind;
  name: string;
  emails: string[];
}

/** A child the board already knows, as recorded, with the identifier a feed would carry. */
export interface KnownChild {
  name: string;
  dateOfBirth: string | null;
  /** The NHS number (health) or UPN (education), as the hub records it. */
  identifier: string;
}

/** Who sends one feed, and what of the board it may name. */
export interface FeedSubjects {
  boardId: string;
  /** The ingesting agency; `emails` raise its disagreements. */
  agency: FeedAgency;
  /** Its INTEGRATION account, whose token posts the feed. */
  integrationId: string;
  /** The board's other agencies that disagreements can be raised with (not the business unit). */
  partners: FeedAgency[];
  /** Children of the board already known by the feed's identifier, for linking. */
  knownChildren: KnownChild[];
}

export interface IngestSubjects {
  health: FeedSubjects;
  education: FeedSubjects;
}

interface PractitionerRow {
  id: string;
  agency_id: string;
  email: string;
  roles: string | string[];
  active: boolean | number;
}

async function query<T>(db: HubDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return db.orm.em.getConnection().execute<T[]>(sql, params);
}

const rolesOf = (row: PractitionerRow): string[] =>
  typeof row.roles === 'string' ? (JSON.parse(row.roles) as string[]) : row.roles;

/** How many known children a feed may link (a sample; the rest of the feed is new children). */
const KNOWN_CHILDREN = 500;

/**
 * Picks the feeds' senders from a loaded dataset, read-only, by SQL on the cases database: the
 * board with the most cases; on it, the health agency and the school with the most front-line
 * practitioners (ties by name), each with its active INTEGRATION account; the board's other
 * agencies (the business unit, kind OTHER, never takes a disagreement) with their front-line
 * people; and up to 500 of the board's children recorded with an NHS number or a UPN, as
 * recorded, for the feeds to link.
 */
export async function pickIngestSubjects(target: DatabaseTarget): Promise<IngestSubjects> {
  const db = await openSubgraphDatabase('cases', target, createLogger('bench', 'warn'), false);
  try {
    const [board] = await query<{ board_id: string }>(
      db,
      `select board_id from case_file group by board_id order by count(*) desc, board_id limit 1`,
    );
    if (!board) throw new Error('the dataset has no case: load one with bench dataset');
    const boardId = board.board_id;
    const agencies = await query<{ id: string; kind: AgencyKind; name: string }>(
      db,
      'select id, kind, name from agency where board_id = ? order by name, id',
      [boardId],
    );
    const people = await query<PractitionerRow>(
      db,
      'select id, agency_id, email, roles, active from practitioner where board_id = ? order by id',
      [boardId],
    );
    const active = people.filter((p) => Boolean(p.active));
    const frontLine = (agencyId: string) =>
      active
        .filter((p) => p.agency_id === agencyId)
        .filter((p) => {
          const roles = rolesOf(p);
          return (
            roles.some((r) => FRONT_LINE_ROLES.includes(r)) &&
            !roles.includes('ANALYST') &&
            !roles.includes('ADMIN') &&
            !roles.includes('INTEGRATION')
          );
        })
        .map((p) => p.email);
    const feedAgencies: FeedAgency[] = agencies.map((a) => ({ ...a, emails: frontLine(a.id) }));

    const known = async (system: string): Promise<KnownChild[]> =>
      (
        await query<{ name: string; date_of_birth: string | null; value: string }>(
          db,
          `select c.name, c.date_of_birth, i.value from child_identifier i
             join child_subject c on c.id = i.child_id
            where i.board_id = ? and i.system = ? order by i.value limit ${KNOWN_CHILDREN}`,
          [boardId, system],
        )
      ).map((row) => ({ name: row.name, dateOfBirth: row.date_of_birth, identifier: row.value }));

    const feed = async (kind: AgencyKind, system: string): Promise<FeedSubjects> => {
      const candidates = feedAgencies
        .filter((a) => a.kind === kind)
        .sort((x, y) => y.emails.length - x.emails.length || x.name.localeCompare(y.name));
      for (const agency of candidates) {
        const integration = active.find(
          (p) => p.agency_id === agency.id && rolesOf(p).includes('INTEGRATION'),
        );
        if (!integration || agency.emails.length === 0) continue;
        return {
          boardId,
          agency,
          integrationId: integration.id,
          partners: feedAgencies.filter(
            (a) => a.id !== agency.id && a.kind !== AgencyKind.OTHER && a.emails.length > 0,
          ),
          knownChildren: await known(system),
        };
      }
      throw new Error(
        `board ${boardId} has no ${kind} agency with an active INTEGRATION account and front-line practitioners`,
      );
    };
    return {
      health: await feed(AgencyKind.HEALTH, 'nhs-number'),
      education: await feed(AgencyKind.EDUCATION, 'upn'),
    };
  } finally {
    await db.close();
  }
}
