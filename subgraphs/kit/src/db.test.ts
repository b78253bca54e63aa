import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../test/support/config.js';
import { freshTarget } from '../../../test/support/databases.js';
import { openDatabase, QueryCounter } from './db.js';
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

describe('QueryCounter', () => {
  it('counts every statement of a request but keeps a bounded number of texts', () => {
    const counter = new QueryCounter();
    // An ingest request sends millions of statements under one correlation id.
    for (let i = 0; i < 5000; i += 1) counter.record(`select ${i}`, 'ingest-1');
    counter.record('select other', 'read-1');
    expect(counter.count).toBe(5001);
    expect(counter.countForRequest('ingest-1')).toBe(5000);
    expect(counter.forRequest('ingest-1')).toHaveLength(1000);
    expect(counter.forRequest('ingest-1')[0]).toBe('select 0');
    expect(counter.forRequest('read-1')).toEqual(['select other']);
    expect(counter.statements).toHaveLength(1000);
    expect(counter.countForRequest('unknown')).toBe(0);
  });

  it('forgets the oldest request first when it has seen too many', () => {
    const counter = new QueryCounter();
    for (let i = 0; i <= 1000; i += 1) counter.record('select 1', `request-${i}`);
    expect(counter.countForRequest('request-0')).toBe(0);
    expect(counter.countForRequest('request-1000')).toBe(1);
  });
});
