import { createLogger, type DatabaseTarget, type HubDatabase } from '@hub/kit';
import { openSubgraphDatabase } from '../dataset/dataset.load.js';
import type { SubgraphName } from '../dataset/tables.js';
import type { WorkloadSubjects } from './workload.operations.js';

/** Roles that see cases and escalations (ANALYST, ADMIN and INTEGRATION never do). */
const CASEWORK_ROLES = ['PRACTITIONER', 'LINE_MANAGER', 'SAFEGUARDING_LEAD', 'SENIOR_MANAGER'];

interface PractitionerRow {
  id: string;
  agency_id: string;
  board_id: string;
  roles: string | string[];
  active: boolean | number;
}

type Rows<T> = T[];

async function query<T>(db: HubDatabase, sql: string, params: unknown[] = []): Promise<Rows<T>> {
  return db.orm.em.getConnection().execute<T[]>(sql, params);
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function rolesOf(row: PractitionerRow): string[] {
  return typeof row.roles === 'string' ? (JSON.parse(row.roles) as string[]) : row.roles;
}

/** The first active practitioner (by id) among `rows` holding one of `roles` and none that hides cases. */
function firstWithRole(rows: PractitionerRow[], roles: string[]): PractitionerRow | undefined {
  return rows
    .filter((row) => Boolean(row.active))
    .filter((row) => {
      const held = rolesOf(row);
      return (
        held.some((role) => roles.includes(role)) &&
        !held.includes('ANALYST') &&
        !held.includes('ADMIN')
      );
    })
    .sort((a, b) => a.id.localeCompare(b.id))[0];
}

/**
 * Picks the benchmark's users and ids from a loaded dataset, read-only, by SQL on each
 * subgraph's database (the picks need joins across subgraphs, which the API never makes):
 * - the case page: among the cases with the most escalations, one with a resolution panel and
 *   themes, read by a practitioner of the agency that is party to most of its escalations
 *   (a practitioner sees the escalations their agency raised or answers);
 * - the escalation list: a practitioner of the agency party to the most escalations;
 * - the overdue list: a board manager of the board with the most overdue open escalations.
 */
export async function pickSubjects(
  targets: Record<SubgraphName, DatabaseTarget>,
  now: Date = new Date(),
): Promise<WorkloadSubjects> {
  const log = createLogger('bench', 'warn');
  const open = (name: SubgraphName) => openSubgraphDatabase(name, targets[name], log, false);
  const [cases, escalations, panels, learning] = await Promise.all([
    open('cases'),
    open('escalations'),
    open('panels'),
    open('learning'),
  ]);
  try {
    // Escalations per agency taking part (raising or responding), from a small aggregate.
    const pairs = await query<{ a: string; b: string; n: number | string }>(
      escalations,
      `select raising_agency_id as a, responding_agency_id as b, count(*) as n
         from escalation group by raising_agency_id, responding_agency_id`,
    );
    const party = new Map<string, number>();
    for (const { a, b, n } of pairs) {
      party.set(a, (party.get(a) ?? 0) + Number(n));
      if (b !== a) party.set(b, (party.get(b) ?? 0) + Number(n));
    }
    const practitionersOf = (agencyId: string) =>
      query<PractitionerRow>(
        cases,
        'select id, agency_id, board_id, roles, active from practitioner where agency_id = ?',
        [agencyId],
      );

    let listReader: PractitionerRow | undefined;
    let listVisible = 0;
    for (const [agencyId, n] of [...party].sort(
      (x, y) => y[1] - x[1] || x[0].localeCompare(y[0]),
    )) {
      listReader = firstWithRole(await practitionersOf(agencyId), CASEWORK_ROLES);
      listVisible = n;
      if (listReader) break;
    }
    if (!listReader) throw new Error('the dataset has no casework practitioner of any agency');

    const busiest = await query<{ case_id: string; n: number | string }>(
      escalations,
      `select case_id, count(*) as n from escalation group by case_id
        order by count(*) desc, case_id limit 200`,
    );
    if (busiest.length === 0) throw new Error('the dataset has no escalation');
    const caseIds = busiest.map((row) => row.case_id);
    const onCases = await query<{ id: string; case_id: string; a: string; b: string }>(
      escalations,
      `select id, case_id, raising_agency_id as a, responding_agency_id as b from escalation
        where case_id in (${placeholders(caseIds.length)})`,
      caseIds,
    );
    const ids = onCases.map((row) => row.id);
    const paneled = new Set(
      (
        await query<{ escalation_id: string }>(
          panels,
          `select escalation_id from resolution_panel where escalation_id in (${placeholders(ids.length)})`,
          ids,
        )
      ).map((row) => row.escalation_id),
    );
    const themed = new Set(
      (
        await query<{ escalation_id: string }>(
          learning,
          `select distinct escalation_id from escalation_theme where escalation_id in (${placeholders(ids.length)})`,
          ids,
        )
      ).map((row) => row.escalation_id),
    );
    interface Candidate {
      caseId: string;
      agencyId: string;
      seen: number;
      panel: boolean;
      theme: boolean;
    }
    const candidates: Candidate[] = [];
    for (const caseId of caseIds) {
      const rows = onCases.filter((row) => row.case_id === caseId);
      const agencies = new Set(rows.flatMap((row) => [row.a, row.b]));
      for (const agencyId of agencies) {
        const mine = rows.filter((row) => row.a === agencyId || row.b === agencyId);
        candidates.push({
          caseId,
          agencyId,
          seen: mine.length,
          panel: mine.some((row) => paneled.has(row.id)),
          theme: mine.some((row) => themed.has(row.id)),
        });
      }
    }
    // A panel and themes first (the page shows them), then the most escalations seen.
    candidates.sort(
      (x, y) =>
        Number(y.panel) - Number(x.panel) ||
        Number(y.theme) - Number(x.theme) ||
        y.seen - x.seen ||
        x.caseId.localeCompare(y.caseId) ||
        x.agencyId.localeCompare(y.agencyId),
    );
    let caseReader: PractitionerRow | undefined;
    let casePick: Candidate | undefined;
    for (const candidate of candidates) {
      caseReader = firstWithRole(await practitionersOf(candidate.agencyId), CASEWORK_ROLES);
      casePick = candidate;
      if (caseReader) break;
    }
    if (!caseReader || !casePick) throw new Error('no casework practitioner can read any case');

    // Overdue as the escalations subgraph's filter has it: open, the current stage past due.
    const cutoff = targets.escalations.kind === 'sqlite' ? now.getTime() : now.toISOString();
    const overdue = await query<{ board_id: string; n: number | string }>(
      escalations,
      `select board_id, count(*) as n from escalation
        where status = 'OPEN' and current_stage_due_at < ?
        group by board_id order by count(*) desc, board_id`,
      [cutoff],
    );
    let manager: PractitionerRow | undefined;
    let overdueBoard: { board_id: string; n: number | string } | undefined;
    for (const board of overdue) {
      const staff = await query<PractitionerRow>(
        cases,
        'select id, agency_id, board_id, roles, active from practitioner where board_id = ?',
        [board.board_id],
      );
      manager = firstWithRole(staff, ['BOARD_MANAGER']);
      overdueBoard = board;
      if (manager) break;
    }
    if (!manager || !overdueBoard) {
      throw new Error('the dataset has no board with overdue escalations and a board manager');
    }
    return {
      casePage: {
        caseId: casePick.caseId,
        practitionerId: caseReader.id,
        escalations: casePick.seen,
      },
      escalationList: { practitionerId: listReader.id, visible: listVisible },
      overdueList: {
        boardId: overdueBoard.board_id,
        managerId: manager.id,
        overdue: Number(overdueBoard.n),
      },
    };
  } finally {
    await Promise.all([cases, escalations, panels, learning].map((db) => db.close()));
  }
}

/** How many escalations and boards a dataset holds (to name its size in the results). */
export async function countDataset(
  targets: Record<SubgraphName, DatabaseTarget>,
): Promise<{ escalations: number; boards: number }> {
  const log = createLogger('bench', 'warn');
  const cases = await openSubgraphDatabase('cases', targets.cases, log, false);
  const escalations = await openSubgraphDatabase('escalations', targets.escalations, log, false);
  try {
    const [boards] = await query<{ n: number | string }>(cases, 'select count(*) as n from board');
    const [raised] = await query<{ n: number | string }>(
      escalations,
      'select count(*) as n from escalation',
    );
    return { escalations: Number(raised?.n ?? 0), boards: Number(boards?.n ?? 0) };
  } finally {
    await Promise.all([cases.close(), escalations.close()]);
  }
}
