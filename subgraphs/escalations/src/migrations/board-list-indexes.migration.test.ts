import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeAsInUse,
  databaseKinds,
  freshTarget,
  queryPlan,
  type DatabaseKind,
} from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { escalationsMigrations } from './index.js';

const uuid = (group: number, n: number) =>
  `00000000-0000-4000-8000-${group.toString(16).padStart(4, '0')}${n.toString(16).padStart(8, '0')}`;
const BOARDS = 4;
const AGENCIES = 20;
const BOARD = `'${uuid(1, 0)}'`;
const AGENCY = `'${uuid(2, 3)}'`;
const SEAT = `'${uuid(3, 7)}'`;
const NOW = Date.parse('2026-12-06T12:00:00Z');
/** A date as each database stores it (SQLite: milliseconds; PostgreSQL: a timestamp). */
const at = (kind: string, ms: number) => (kind === 'sqlite' ? ms : new Date(ms).toISOString());
const due = (kind: string) =>
  kind === 'sqlite' ? String(NOW) : `'${new Date(NOW).toISOString()}'`;

/**
 * 4,000 escalations on four boards, a tenth of them open and half of those overdue, each
 * between two of 20 agencies; then the planners' statistics, so each database chooses its
 * plan from data as it would in use (an empty table tells PostgreSQL nothing).
 */
async function fill(db: HubDatabase, kind: DatabaseKind): Promise<void> {
  const connection = db.orm.em.getConnection();
  const columns = `id, reference, board_id, region, case_id, raised_by_id, raising_agency_id,
    raising_agency_kind, responding_agency_id, responding_agency_kind, category, ground, summary,
    desired_outcome, immediate_risk, status, policy_version, current_stage_number,
    current_stage_due_at, raised_at, version`;
  for (let start = 0; start < 4000; start += 200) {
    const rows: unknown[][] = [];
    for (let i = start; i < start + 200; i++) {
      const open = i % 10 === 0;
      rows.push([
        uuid(3, i),
        `ESC-2026-${String(i).padStart(6, '0')}`,
        uuid(1, i % BOARDS),
        'GB-ENG',
        uuid(4, i),
        uuid(5, i % 300),
        uuid(2, i % AGENCIES),
        'POLICE',
        uuid(2, (i * 7 + 1) % AGENCIES),
        'CHILDRENS_SOCIAL_CARE',
        'NEED_FOR_ACTION',
        'DECISION_CHALLENGE',
        'Concern',
        'Outcome',
        false,
        open ? 'OPEN' : 'CLOSED',
        1,
        open ? 2 : null,
        open ? at(kind, NOW + (i % 20 === 0 ? -1 : 1) * 86_400_000) : null,
        at(kind, NOW - i * 3_600_000),
        1,
      ]);
    }
    const placeholders = rows.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
    await connection.execute(
      `insert into escalation (${columns}) values ${placeholders}`,
      rows.flat(),
    );
  }
  await analyzeAsInUse(db, kind, 'escalation');
}
/** What the escalations query sends for a board manager's overdue list (its filter twice). */
const overdue = (kind: string) => `from escalation as e
  where e.board_id = ${BOARD} and e.board_id = ${BOARD}
    and e.status = 'OPEN' and e.current_stage_due_at < ${due(kind)}`;

describe.each(databaseKinds)("the board's escalation lists on %s", (kind) => {
  const fresh = freshTarget(kind, 'escalations');
  let db: HubDatabase;
  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...escalationsMigrations],
      log: createLogger('test', 'silent'),
    });
    await fill(db, kind);
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  it("counts a board's overdue escalations from the board overdue index alone", async () => {
    const text = await queryPlan(db, kind, `select count(*) ${overdue(kind)}`, { indexOnly: true });
    expect(text, text).toMatch(
      kind === 'sqlite'
        ? /USING COVERING INDEX escalation_board_overdue_index/
        : /Index Only Scan using escalation_board_overdue_index/,
    );
  });

  it("counts a practitioner's list from the board agencies index alone", async () => {
    const text = await queryPlan(
      db,
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
