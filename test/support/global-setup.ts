/**
 * vitest's global setup: with PostgreSQL configured, the test schemas (`t_<hex>_<name>`, made by
 * `freshTarget`) are dropped here, before the run (what an interrupted run left) and after it,
 * never while test files run. Test files run in two forks or more at once, and MikroORM's
 * migrator lists every table of the database with a cast of each name to `regclass`: a schema
 * dropped by one fork between that listing and the cast fails the other fork's migration
 * ("schema … does not exist"; a CI run met it). Creating schemas meanwhile is harmless.
 */
import pg from 'pg';
import { testDatabaseUrl } from './config.js';

async function dropTestSchemas(): Promise<void> {
  if (!testDatabaseUrl) return;
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select nspname as name from pg_namespace where nspname like 't\\_%\\_%'",
    );
    for (const { name } of rows) await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}

export async function setup(): Promise<() => Promise<void>> {
  await dropTestSchemas();
  return dropTestSchemas;
}
