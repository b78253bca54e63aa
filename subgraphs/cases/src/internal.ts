import type { HubDatabase } from '@hub/kit';
import { askedFactIds, internalRequestMeta, isUuid, selectRows } from '@hub/kit';
import type { Response, Router } from 'express';
import { Agency } from './entities/agency.entity.js';
import { Board } from './entities/board.entity.js';
import { CaseAgency } from './entities/case-agency.entity.js';
import { Case } from './entities/case.entity.js';
import { Practitioner } from './entities/practitioner.entity.js';
import { EXTERNAL_SUBJECT_MAX_LENGTH } from './external-subject.js';

/** The kinds `POST /internal/facts` answers, each a list of ids. */
const FACT_KINDS = ['boards', 'agencies', 'practitioners', 'cases', 'agencyPractitioners'] as const;

function practitionerFact(p: Practitioner) {
  return {
    id: p.id,
    name: p.name,
    agencyId: p.agencyId,
    boardId: p.boardId,
    roles: p.roles,
    lineManagerId: p.lineManagerId,
    active: p.active,
  };
}

/**
 * The directory entry of the practitioner whose `column` is `value`, with their agency's kind:
 * one statement, without an EntityManager. The gateway asks this on every request, so it is kept
 * to the least work (docs/decisions.md, "Performance").
 */
async function lookUpActor(
  db: HubDatabase,
  column: 'id' | 'external_subject',
  value: string,
): Promise<ActorEntry | null> {
  const rows = await selectRows<ActorRow>(
    db.orm.em,
    'select p.id, p.agency_id, a.kind as agency_kind, p.board_id, p.roles, p.active ' +
      `from practitioner p join agency a on a.id = p.agency_id where p.${column} = ?`,
    [value],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    agencyId: row.agency_id,
    agencyKind: row.agency_kind,
    boardId: row.board_id,
    // PostgreSQL hands JSON columns over parsed, SQLite as text; booleans as 0/1 from SQLite.
    roles: typeof row.roles === 'string' ? (JSON.parse(row.roles) as string[]) : row.roles,
    active: Boolean(row.active),
  };
}

interface ActorRow {
  id: string;
  agency_id: string;
  agency_kind: string;
  board_id: string;
  roles: string[] | string;
  active: boolean | number;
}

interface ActorEntry {
  id: string;
  agencyId: string;
  agencyKind: string;
  boardId: string;
  roles: string[];
  active: boolean;
}

/** Answers an actor lookup: the practitioner's directory entry, or 404 when there is none. */
function answerActor(res: Response, entry: ActorEntry | null): void {
  if (!entry) {
    res.status(404).json({ error: 'no such practitioner' });
    return;
  }
  res.json(entry);
}

/**
 * Internal routes for other hub services. `GET /internal/actor/:id` (embedded key: the token's
 * subject is the practitioner id) and `GET /internal/actor-by-subject?subject=` (OIDC: the
 * issuer's subject as an administrator stored it) are how the gateway loads the actor on every
 * request: roles and agency come from the directory, so a deactivation or a role change applies
 * to the very next request.
 */
export function casesInternalRoutes(router: Router, db: HubDatabase): void {
  /**
   * `POST /internal/facts` answers, in one round trip, the directory and case facts another
   * subgraph needs for its own rules and its written record: boards (region), agencies (board,
   * kind), practitioners (name, agency, roles, line manager, active), every practitioner of the
   * agencies named in `agencyPractitioners` (who could sit on a resolution panel) and cases
   * (board, involved agencies). Unknown ids are simply absent from the answer; more than
   * `MAX_FACT_IDS` of a kind is refused with 400. A practitioner's name is directory data,
   * visible on their board anyway; nothing about a child is answered here.
   */
  router.post('/facts', async (req, res) => {
    const ids = askedFactIds(req.body, res, FACT_KINDS);
    if (!ids) return;
    const em = db.orm.em.fork({
      loggerContext: { correlationId: internalRequestMeta(res).correlationId },
    });
    const find = async <T extends object>(entity: new () => T, wanted: string[]): Promise<T[]> =>
      wanted.length ? em.find(entity, { id: { $in: wanted } } as never) : [];
    const boards = await find(Board, ids.boards);
    const agencies = await find(Agency, ids.agencies);
    const practitioners = await find(Practitioner, ids.practitioners);
    const cases = await find(Case, ids.cases);
    const ofAgencies = ids.agencyPractitioners;
    const agencyPractitioners = ofAgencies.length
      ? await em.find(Practitioner, { agencyId: { $in: ofAgencies } })
      : [];
    const involvements = cases.length
      ? await em.find(CaseAgency, { caseId: { $in: cases.map((c) => c.id) } })
      : [];
    res.json({
      boards: boards.map((b) => ({
        id: b.id,
        region: b.region,
        name: b.name,
        disclosureThreshold: b.disclosureThreshold,
      })),
      agencies: agencies.map((a) => ({ id: a.id, boardId: a.boardId, kind: a.kind })),
      practitioners: practitioners.map(practitionerFact),
      agencyPractitioners: agencyPractitioners.map(practitionerFact),
      cases: cases.map((c) => ({
        id: c.id,
        boardId: c.boardId,
        agencyIds: involvements.filter((i) => i.caseId === c.id).map((i) => i.agencyId),
      })),
    });
  });

  router.get('/actor/:id', async (req, res) => {
    const id = req.params.id;
    answerActor(res, isUuid(id) ? await lookUpActor(db, 'id', id) : null);
  });

  // A query parameter, not a path segment: a subject is any string its issuer chose (`a/b`, `..`).
  router.get('/actor-by-subject', async (req, res) => {
    const subject = req.query.subject;
    const wellFormed =
      typeof subject === 'string' &&
      subject.length > 0 &&
      subject.length <= EXTERNAL_SUBJECT_MAX_LENGTH;
    answerActor(res, wellFormed ? await lookUpActor(db, 'external_subject', subject) : null);
  });
}
