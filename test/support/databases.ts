import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  createLogger,
  KIT_ENTITIES,
  kitMigration,
  openDatabase,
  type DatabaseTarget,
  type HubDatabase,
} from '@hub/kit';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { testDatabaseUrl } from './config.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The databases every database test runs against: SQLite always, PostgreSQL when configured. */
export const databaseKinds: DatabaseKind[] = testDatabaseUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * A fresh, empty place for one subgraph's tables: a SQLite file in a temporary folder, or a
 * PostgreSQL schema with a random name. `dispose` removes the folder (call it once the database
 * is closed); the schemas are dropped after the run.
 */
export function freshTarget(
  kind: DatabaseKind,
  name: string,
): { target: DatabaseTarget; dispose(): Promise<void> } {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `hub-${name}-`));
    return {
      target: { kind: 'sqlite', file: join(dir, `${name}.sqlite`) },
      async dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(4).toString('hex')}_${name}`;
  return {
    target: { kind: 'postgres', url: testDatabaseUrl!, schema },
    // The schema is dropped after the run (global-setup.ts), not now: dropping it while another
    // fork migrates its own schema can fail that migration.
    async dispose() {},
  };
}

/**
 * A fresh database with the kit's tables only (outbox, processed events, audit log, counters),
 * for the kit's own tests. `close` closes it and removes it.
 */
export async function openKitDatabase(
  kind: DatabaseKind,
  name: string,
): Promise<{ db: HubDatabase; close(): Promise<void> }> {
  const fresh = freshTarget(kind, name);
  const db = await openDatabase({
    target: fresh.target,
    entities: KIT_ENTITIES,
    migrations: [kitMigration],
    log: createLogger('test', 'silent'),
  });
  return {
    db,
    async close() {
      await db.close();
      await fresh.dispose();
    },
  };
}

/**
 * The planner's statistics for `table`, and on PostgreSQL its pages marked all-visible, as
 * autovacuum leaves a table in use. An index-only scan is costed with a visit to the table for
 * each row on a page not so marked, so without the marks PostgreSQL prefers other plans. VACUUM
 * cannot mark a page holding rows that a transaction open elsewhere in the cluster (another
 * test file's) might not see, so it runs again, for up to ten seconds, until every page is
 * marked.
 */
export async function analyzeAsInUse(
  db: HubDatabase,
  kind: DatabaseKind,
  table: string,
): Promise<void> {
  const connection = db.orm.em.getConnection();
  if (kind === 'sqlite') {
    await connection.execute('analyze');
    return;
  }
  for (let attempt = 0; attempt < 100; attempt += 1) {
    await connection.execute(`vacuum analyze ${table}`);
    const [pages]: { relpages: number; relallvisible: number }[] = await connection.execute(
      `select relpages, relallvisible from pg_class where oid = '${table}'::regclass`,
    );
    if (pages && pages.relallvisible >= pages.relpages) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The query plan of a statement, as one string. */
export async function queryPlan(
  db: HubDatabase,
  kind: DatabaseKind,
  sql: string,
  options: { indexOnly?: boolean } = {},
): Promise<string> {
  const connection = db.orm.em.getConnection();
  if (kind === 'sqlite') {
    const rows: { detail: string }[] = await connection.execute(`explain query plan ${sql}`);
    return rows.map((row) => row.detail).join('\n');
  }
  // Settings and EXPLAIN in one transaction, so on one connection of the pool. Without
  // statistics on an empty table PostgreSQL would rather scan: ask it not to, so the test shows
  // whether an index can answer at all. `indexOnly` also turns off index and bitmap scans. Up to
  // PostgreSQL 17 turning off index scans adds the same penalty to index-only scans, so every
  // plan is then equally penalised and the cheapest wins: an index-only scan, if the index holds
  // every column the query reads and the table's pages are marked all-visible (a table with rows
  // needs `analyzeAsInUse` first; a transaction open elsewhere during a plain VACUUM made the
  // bitmap scan cheaper).
  return (db.orm.em.fork() as SqlEntityManager).transactional(async (tx) => {
    await tx.execute('set local enable_seqscan = off');
    if (options.indexOnly) {
      await tx.execute('set local enable_indexscan = off');
      await tx.execute('set local enable_bitmapscan = off');
    }
    const rows: Record<string, string>[] = await tx.execute(`explain ${sql}`);
    return rows.map((row) => Object.values(row)[0]).join('\n');
  });
}
