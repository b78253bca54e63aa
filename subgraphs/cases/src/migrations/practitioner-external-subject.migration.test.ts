import { randomUUID } from 'node:crypto';
import { createLogger, KIT_ENTITIES, kitMigration, openDatabase, type HubDatabase } from '@hub/kit';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget } from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { casesMigrations } from './index.js';

const log = createLogger('test', 'silent');

describe.each(databaseKinds)('practitioner external subject migration on %s', (kind) => {
  const fresh = freshTarget(kind, 'cases');
  const open = (migrations: typeof casesMigrations) =>
    openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...migrations],
      log,
    });
  let db: HubDatabase | undefined;
  afterAll(async () => {
    await db?.close();
    await fresh.dispose();
  });

  it('gives existing practitioners their id as external subject, and keeps it unique', async () => {
    const before = casesMigrations.filter(
      (migration) => migration.name !== 'Migration20261124000300_practitioner_external_subject',
    );
    expect(before).toHaveLength(casesMigrations.length - 1);
    const old = await open(before);
    db = old;
    const [board, agency, practitioner] = [randomUUID(), randomUUID(), randomUUID()];
    const sql = (query: string, params: unknown[]) =>
      old.orm.em.getConnection().execute(query, params);
    const now = new Date().toISOString();
    await sql(
      'insert into board (id, name, region, disclosure_threshold, created_at) values (?, ?, ?, ?, ?)',
      [board, 'Board', 'GB-ENG', 5, now],
    );
    await sql('insert into agency (id, board_id, name, kind, created_at) values (?, ?, ?, ?, ?)', [
      agency,
      board,
      'Agency',
      'POLICE',
      now,
    ]);
    await sql(
      'insert into practitioner (id, agency_id, board_id, name, email, roles, active, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
      [practitioner, agency, board, 'Jo', 'jo@example.org', '["PRACTITIONER"]', true, now],
    );
    await old.close();

    db = await open(casesMigrations);
    const connection = db.orm.em.getConnection();
    expect(await connection.execute('select id, external_subject from practitioner')).toEqual([
      { id: practitioner, external_subject: practitioner },
    ]);
    const twin = randomUUID();
    await expect(
      connection.execute(
        'insert into practitioner (id, agency_id, board_id, name, email, roles, active, created_at, external_subject) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          twin,
          agency,
          board,
          'Twin',
          'twin@example.org',
          '["PRACTITIONER"]',
          true,
          now,
          practitioner,
        ],
      ),
    ).rejects.toThrow(/unique/i);
  });
});
