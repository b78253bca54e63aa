import type { HubDatabase } from '@hub/kit';
import { describe, expect, it } from 'vitest';
import {
  analyzeAsInUse,
  databaseKinds,
  queryPlan,
  type DatabaseKind,
} from '../../../../test/support/databases.js';
import { insertEscalations, migratedEscalationsDatabase, uuid } from './migrations.test-helpers.js';

const BOARDS = 4;
const AGENCIES = 20;
const BOARD = `'${uuid(1, 0)}'`;
const AGENCY = `'${uuid(2, 3)}'`;
const SEAT = `'${uuid(3, 7)}'`;
const NOW = Date.parse('2026-12-06T12:00:00Z');
const due = (kind: string) =>
  kind === 'sqlite' ? String(NOW) : `'${new Date(NOW).toISOString()}'`;

/**
 * 4,000 escalations on four boards, a tenth of them open and half of those overdue, each
 * between two of 20 agencies; then the planners' statistics, so each database chooses its
 * plan from data as it would in use (an empty table tells PostgreSQL nothing).
 */
async function fill(db: HubDatabase, kind: DatabaseKind): Promise<void> {
  await insertEscalations(
    db,
    kind,
    Array.from({ length: 4000 }, (_, n) => ({
      n,
      boards: BOARDS,
      agencies: AGENCIES,
      open: n % 10 === 0,
      currentStageNumber: 2,
      currentStageDueAt: NOW + (n % 20 === 0 ? -1 : 1) * 86_400_000,
      raisedAt: NOW - n * 3_600_000,
    })),
  );
  await analyzeAsInUse(db, kind, 'escalation');
}
/** What the escalations query sends for a board manager's overdue list (its filter twice). */
const overdue = (kind: string) => `from escalation as e
  where e.board_id = ${BOARD} and e.board_id = ${BOARD}
    and e.status = 'OPEN' and e.current_stage_due_at < ${due(kind)}`;

describe.each(databaseKinds)("the board's escalation lists on %s", (kind) => {
  const database = migratedEscalationsDatabase(kind, (db) => fill(db, kind));

  it("counts a board's overdue escalations from the board overdue index alone", async () => {
    const text = await queryPlan(database(), kind, `select count(*) ${overdue(kind)}`, {
      indexOnly: true,
    });
    expect(text, text).toMatch(
      kind === 'sqlite'
        ? /USING COVERING INDEX escalation_board_overdue_index/
        : /Index Only Scan using escalation_board_overdue_index/,
    );
  });

  it("counts a practitioner's list from the board agencies index alone", async () => {
    const text = await queryPlan(
      database(),
      kind,
      `select count(*) from escalation as e where e.board_id = ${BOARD}
         and (e.raising_agency_id = ${AGENCY} or e.responding_agency_id = ${AGENCY}
              or e.id in (${SEAT}))`,
      { indexOnly: true },
    );
    expect(text, text).toMatch(
      kind === 'sqlite'
        ? /USING COVERING INDEX escalation_board_agencies_index/
        : /Index Only Scan using escalation_board_agencies_index/,
    );
  });
});
