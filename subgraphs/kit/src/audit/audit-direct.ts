import type { SqlEntityManager } from '@mikro-orm/knex';
import type { HubDatabase } from '../db.js';
import {
  AUDIT_COLUMNS,
  AUDIT_ROW_PLACEHOLDERS,
  CHAIN_HEAD_SQL,
  CHAIN_LOCK_SQL,
  GENESIS_HASH,
  auditRowValues,
  chainAuditRows,
  type AuditAppend,
} from './audit.js';

/** node-postgres's client, as much of it as this uses. */
interface PgClient {
  query(sql: string): Promise<{ rows: { hash: string }[] }[] | { rows: unknown[] }>;
  escapeLiteral(value: string): string;
}

/** libsql's synchronous (better-sqlite3) connection, as much of it as this uses. */
interface SqliteConnection {
  exec(sql: string): void;
  prepare(sql: string): {
    get(...params: unknown[]): { hash: string } | undefined;
    run(...params: unknown[]): unknown;
  };
}

/**
 * Appends entries in a transaction of their own, on one of the pool's connections directly,
 * for the audit entries of reads (the AuditWriter's batches). The rows, their order and their
 * hashes are exactly what `appendAuditEntries` writes through the ORM, and the lock and the read
 * of the chain's head are the same statements; what is left out is the ORM's transaction and
 * query building, about 2 ms of CPU per append against 0.15 ms (bench/RESULTS.md). On
 * PostgreSQL the transaction takes two round trips, not five: `begin`, the chain's lock and
 * the read of its head in one simple query (each statement still takes its own snapshot, so the
 * head is read after the lock is held), then the insert and `commit` in another. Values are
 * quoted by node-postgres's `escapeLiteral`. Every statement is counted in `db.queries`, as the
 * ORM's are.
 */
export async function appendAuditEntriesDirect(
  db: HubDatabase,
  entries: AuditAppend[],
): Promise<void> {
  const knex = (db.orm.em as SqlEntityManager).getConnection().getKnex();
  const connection: unknown = await knex.client.acquireConnection();
  try {
    if (db.target.kind === 'postgres') await appendOnPostgres(db, connection as PgClient, entries);
    else appendOnSqlite(db, connection as SqliteConnection, entries);
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

async function appendOnPostgres(
  db: HubDatabase,
  client: PgClient,
  entries: AuditAppend[],
): Promise<void> {
  const opening = `begin; ${CHAIN_LOCK_SQL}; ${CHAIN_HEAD_SQL}`;
  db.queries.record(opening);
  try {
    const results = await client.query(opening);
    const head = (results as { rows: { hash: string }[] }[])[2]!.rows[0];
    const rows = chainAuditRows(entries, head?.hash ?? GENESIS_HASH);
    const literal = (value: string | number | null) =>
      value === null ? 'null' : client.escapeLiteral(String(value));
    const tuples = rows.map((row) => `(${auditRowValues(row, true).map(literal).join(', ')})`);
    const closing = `insert into audit_entry (${AUDIT_COLUMNS}) values ${tuples.join(', ')}; commit`;
    db.queries.record(closing);
    await client.query(closing);
  } catch (error) {
    // A failed statement leaves the transaction open and aborted; a failed connection is gone.
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

function appendOnSqlite(db: HubDatabase, connection: SqliteConnection, entries: AuditAppend[]) {
  const insert = `insert into audit_entry (${AUDIT_COLUMNS}) values ${AUDIT_ROW_PLACEHOLDERS}`;
  // Immediate: the write lock is taken before the head is read, as PostgreSQL's advisory lock is.
  db.queries.record('begin immediate');
  connection.exec('begin immediate');
  try {
    db.queries.record(CHAIN_HEAD_SQL);
    const head = connection.prepare(CHAIN_HEAD_SQL).get();
    const statement = connection.prepare(insert);
    for (const row of chainAuditRows(entries, head?.hash ?? GENESIS_HASH)) {
      db.queries.record(insert);
      statement.run(...auditRowValues(row, false));
    }
    db.queries.record('commit');
    connection.exec('commit');
  } catch (error) {
    // SQLite may have rolled the transaction back itself; the first error is the one to report.
    try {
      connection.exec('rollback');
    } catch {
      // no transaction left to roll back
    }
    throw error;
  }
}
