import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseKinds,
  freshTarget,
  queryPlan as plan,
} from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { casesMigrations } from './index.js';

const log = createLogger('test', 'silent');

describe.each(databaseKinds)('the possible-match lookup on %s', (kind) => {
  const fresh = freshTarget(kind, 'cases');
  let db: HubDatabase;
  beforeAll(async () => {
    db = await openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...casesMigrations],
      log,
    });
  });
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  it("finds a board's children by date of birth, or without one, from an index", async () => {
    const board = "'00000000-0000-4000-8000-000000000001'";
    // On an empty table PostgreSQL picks either index for `is null` (both fit, no statistics
    // tell them apart); SQLite's choice, and PostgreSQL's for a date, show the index is used.
    const conditions = ["date_of_birth = '2015-03-01'"];
    if (kind === 'sqlite') conditions.push('date_of_birth is null');
    for (const condition of conditions) {
      const text = await plan(
        db,
        kind,
        `select id, name, date_of_birth from child_subject where board_id = ${board} and ${condition}`,
      );
      expect(text, condition).toMatch(/child_subject_board_id_date_of_birth_index/);
      if (kind === 'sqlite') expect(text, condition).toMatch(/board_id=\? AND date_of_birth/);
    }
    if (kind === 'sqlite') {
      // Both, in one statement, as the lookup asks: each half from the index.
      const select = (condition: string) =>
        `select id, name from child_subject where board_id = ${board} and ${condition}`;
      const text = await plan(
        db,
        kind,
        `${select("date_of_birth = '2015-03-01'")} union all ${select('date_of_birth is null')}`,
      );
      expect(text.match(/child_subject_board_id_date_of_birth_index/g), text).toHaveLength(2);
    }
  });
});
