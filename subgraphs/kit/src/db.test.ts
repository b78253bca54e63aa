import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../test/support/config.js';
import { freshTarget } from '../../../test/support/databases.js';
import { openDatabase } from './db.js';
import { createLogger } from './log.js';
import { kitMigration } from './migrations/kit-tables.migration.js';
import { KIT_ENTITIES } from './subgraph.js';

// Replicas of a service start together against one PostgreSQL schema (SQLite is one process's).
describe.runIf(testDatabaseUrl)('migrations on PostgreSQL', () => {
  it('run once when three processes open an unmigrated schema at the same moment', async () => {
    const fresh = freshTarget('postgres', 'migrate');
    const open = () =>
      openDatabase({
        target: fresh.target,
        entities: KIT_ENTITIES,
        migrations: [kitMigration],
        log: createLogger('test', 'silent'),
      });
    const opened = await Promise.allSettled([open(), open(), open()]);
    try {
      expect(
        opened.map((result) => (result.status === 'rejected' ? String(result.reason) : 'opened')),
      ).toEqual(['opened', 'opened', 'opened']);
      const db = (opened[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof open>>>).value;
      const rows = await db.orm.em
        .fork()
        .getConnection()
        .execute('select name from mikro_orm_migrations');
      expect(rows.map((row: { name: string }) => row.name)).toEqual([kitMigration.name]);
    } finally {
      for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
      await fresh.dispose();
    }
  });
});
