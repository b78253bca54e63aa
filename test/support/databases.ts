import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DatabaseTarget } from '@hub/kit';
import pg from 'pg';
import { testDatabaseUrl } from './config.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The databases every database test runs against: SQLite always, PostgreSQL when configured. */
export const databaseKinds: DatabaseKind[] = testDatabaseUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * A fresh, empty place for one subgraph's tables: a SQLite file in a temporary folder, or a
 * PostgreSQL schema with a random name. `dispose` removes it (call it once the database is closed).
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
    async dispose() {
      // A connection of its own, so the schema goes whether or not the hub is still running.
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
