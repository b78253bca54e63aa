import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget, queryPlan } from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { escalationsMigrations } from './index.js';

const BOARD = "'00000000-0000-4000-8000-000000000001'";
/** A date as each database stores it (SQLite: milliseconds; PostgreSQL: a timestamp). */
const due = (kind: string) => (kind === 'sqlite' ? '1796601600000' : "'2026-12-06T12:00:00Z'");
/** What the escalations query sends for a board manager's overdue list (its filter twice). */
const overdue = (kind: string) => `from escalation as e
  where e.board_id = ${BOARD} and e.board_id = ${BOARD}
    and e.status = 'OPEN' and e.current_stage_due_at < ${due(kind)}`;

describe.each(databaseKinds)("a board's overdue escalations on %s", (kind) => {
  const fresh = freshTarget(kind, 'escalations');
  let db: HubDatabase;
  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...escalationsMigrations],
      log: createLogger('test', 'silent'),
    });
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  it('are counted from the board overdue index alone', async () => {
    const text = await queryPlan(db, kind, `select count(*) ${overdue(kind)}`);
    expect(text).toMatch(
      kind === 'sqlite'
        ? /USING COVERING INDEX escalation_board_overdue_index/
        : /Index Only Scan using escalation_board_overdue_index/,
    );
  });

  // PostgreSQL chooses between this and the board's (raised_at, id) order by its statistics,
  // which an empty table has not got; SQLite plans by the indexes' columns alone.
  it.runIf(kind === 'sqlite')('are paged by the same index on SQLite', async () => {
    const text = await queryPlan(
      db,
      kind,
      `select e.* ${overdue(kind)} order by e.raised_at desc, e.id desc limit 51`,
    );
    expect(text).toMatch(/escalation_board_overdue_index/);
  });
});
