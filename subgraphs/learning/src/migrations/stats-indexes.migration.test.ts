import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget, queryPlan } from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { BOARD_ROWS_SQL } from '../stats/stats.table.js';
import { learningMigrations } from './index.js';

describe.each(databaseKinds)("reading a board's statistics on %s", (kind) => {
  const fresh = freshTarget(kind, 'learning');
  let db: HubDatabase;
  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...learningMigrations],
      log: createLogger('test', 'silent'),
    });
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  it("reads a board's rows in key order from the index alone, never the table", async () => {
    const text = await queryPlan(
      db,
      kind,
      BOARD_ROWS_SQL.replace('?', "'00000000-0000-4000-8000-000000000001'"),
      { indexOnly: true },
    );
    expect(text).toMatch(
      kind === 'sqlite'
        ? /USING COVERING INDEX stats_escalation_board_rows_index/
        : /Index Only Scan using stats_escalation_board_rows_index/,
    );
    // No sort: the index gives the order.
    expect(text).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it("finds a board's rows changed since a version by an index", async () => {
    const text = await queryPlan(
      db,
      kind,
      `select key from stats_escalation
        where board_id = '00000000-0000-4000-8000-000000000001' and row_version > 41`,
    );
    expect(text).toMatch(/stats_escalation_board_changes_index/);
  });
});
