import { createLogger, type DatabaseTarget, type HubDatabase } from '@hub/kit';
import { openSubgraphDatabase } from '../dataset/dataset.load.js';
import type { SubgraphName } from '../dataset/tables.js';

/** One writing client: a front-line practitioner and the case it raises escalations about. */
export interface WriteSubject {
  practitionerId: string;
  agencyId: string;
  boardId: string;
  /** A case of the board that the practitioner's agency is involved in. */
  caseId: string;
  /** Another agency involved in the case, the one challenged. */
  respondingAgencyId: string;
}

type Row = Record<string, unknown>;

async function query(db: HubDatabase, sql: string, params: unknown[] = []): Promise<Row[]> {
  return db.orm.em.getConnection().execute<Row[]>(sql, params);
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

const rolesOf = (roles: unknown): string[] =>
  typeof roles === 'string' ? (JSON.parse(roles) as string[]) : (roles as string[]);

/** Roles that never do casework, so never raise. */
const NOT_CASEWORK = ['ANALYST', 'ADMIN', 'INTEGRATION'];

/**
 * Picks `count` writing clients from a loaded dataset, read-only, by SQL: distinct active
 * front-line practitioners (PRACTITIONER, no role that hides cases), one agency after another
 * round the agencies of the board with the most escalations (then the next board, if it has too
 * few), each with a case of the board its agency is involved in and another involved agency to
 * challenge — the rules of raiseEscalation: the raiser's agency involved in the case, the
 * responding agency of its board (and involved, as escalations are between the agencies
 * working with the child). Children's social care is challenged where it is involved, as in the
 * dataset. Every client has a case of its own. The raiser may escalate at every stage, so no
 * other people are needed.
 */
export async function pickWriteSubjects(
  targets: Record<SubgraphName, DatabaseTarget>,
  count: number,
): Promise<WriteSubject[]> {
  const log = createLogger('bench', 'warn');
  const escalations = await openSubgraphDatabase('escalations', targets.escalations, log, false);
  const cases = await openSubgraphDatabase('cases', targets.cases, log, false);
  try {
    const boards = await query(
      escalations,
      `select board_id, count(*) as n from escalation group by board_id
        order by count(*) desc, board_id`,
    );
    const picked: WriteSubject[] = [];
    const usedCases = new Set<string>();
    for (const { board_id: board } of boards) {
      const boardId = String(board);
      const agencies = await query(
        cases,
        'select id, kind from agency where board_id = ? order by id',
        [boardId],
      );
      const kindOf = new Map(agencies.map((a) => [String(a.id), String(a.kind)]));
      const staff = (
        await query(
          cases,
          'select id, agency_id, roles, active from practitioner where board_id = ? order by id',
          [boardId],
        )
      ).filter((p) => {
        const roles = rolesOf(p.roles);
        return (
          Boolean(p.active) &&
          roles.includes('PRACTITIONER') &&
          !roles.some((r) => NOT_CASEWORK.includes(r))
        );
      });
      // Each agency's front-line practitioners, and the cases they may raise about.
      const queues = new Map<
        string,
        { people: string[]; cases: { caseId: string; other: string }[] }
      >();
      for (const agency of agencies) {
        const agencyId = String(agency.id);
        const people = staff.filter((p) => p.agency_id === agencyId).map((p) => String(p.id));
        if (people.length === 0) continue;
        const mine = (
          await query(
            cases,
            'select case_id from case_agency where agency_id = ? order by case_id limit 200',
            [agencyId],
          )
        ).map((r) => String(r.case_id));
        if (mine.length === 0) continue;
        const involved = await query(
          cases,
          `select case_id, agency_id from case_agency where case_id in (${placeholders(mine.length)})
            order by case_id, agency_id`,
          mine,
        );
        const usable: { caseId: string; other: string }[] = [];
        for (const caseId of mine) {
          const others = involved
            .filter((r) => r.case_id === caseId && r.agency_id !== agencyId)
            .map((r) => String(r.agency_id));
          const other =
            others.find((id) => kindOf.get(id) === 'CHILDRENS_SOCIAL_CARE') ?? others[0];
          if (other) usable.push({ caseId, other });
        }
        if (usable.length) queues.set(agencyId, { people, cases: usable });
      }
      // Round the agencies, a practitioner and a case of its own each time.
      let progress = true;
      while (picked.length < count && progress) {
        progress = false;
        for (const [agencyId, queue] of queues) {
          if (picked.length >= count) break;
          const person = queue.people.shift();
          let theCase = queue.cases.shift();
          while (theCase && usedCases.has(theCase.caseId)) theCase = queue.cases.shift();
          if (!person || !theCase) continue;
          usedCases.add(theCase.caseId);
          picked.push({
            practitionerId: person,
            agencyId,
            boardId,
            caseId: theCase.caseId,
            respondingAgencyId: theCase.other,
          });
          progress = true;
        }
      }
      if (picked.length >= count) break;
    }
    if (picked.length < count) {
      throw new Error(
        `the dataset has only ${picked.length} front-line practitioners with a case to raise about; asked for ${count} clients`,
      );
    }
    return picked;
  } finally {
    await Promise.all([escalations.close(), cases.close()]);
  }
}
