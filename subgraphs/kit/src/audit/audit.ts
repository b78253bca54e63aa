import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Actor, RequestMeta } from '../actor.js';
import { AuditEntry } from './audit-entry.entity.js';

/** The hash before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What is audited: an action on some entities. */
export interface AuditEvent {
  action: string;
  entityType: string;
  entityIds: string[];
}

type Hashed = Pick<
  AuditEntry,
  | 'at'
  | 'actorKind'
  | 'actorId'
  | 'agencyId'
  | 'ip'
  | 'correlationId'
  | 'action'
  | 'entityType'
  | 'entityIds'
  | 'prevHash'
>;

/** The entry's hash: SHA-256 over its fields in a fixed order, including the previous hash. */
export function hashAuditEntry(entry: Hashed): string {
  const canonical = JSON.stringify([
    entry.prevHash,
    entry.at.toISOString(),
    entry.actorKind,
    entry.actorId,
    entry.agencyId,
    entry.ip,
    entry.correlationId,
    entry.action,
    entry.entityType,
    entry.entityIds,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Serializes appends on PostgreSQL so each entry chains to the one before it; SQLite serializes
 * write transactions by itself. One chain per subgraph schema, so one lock per schema:
 * subgraphs sharing a database do not wait for each other's audited writes.
 */
export const CHAIN_LOCK_SQL =
  "select pg_advisory_xact_lock(7311001, hashtext(current_schema() || ':audit'))";

/** The chain's head: the hash of its last entry. */
export const CHAIN_HEAD_SQL =
  'select hash from audit_entry where seq > 0 order by seq desc limit 1';

function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name.startsWith('PostgreSql');
}

/** One entry to append: who, with what request, did what, and when. */
export interface AuditAppend {
  actor: Actor;
  meta: RequestMeta;
  event: AuditEvent;
  at: Date;
}

/** An entry's row, its hash chained to the hash before it. */
export type AuditRow = Omit<AuditEntry, 'seq'>;

/** The rows of `entries` in order, the first chained to `prevHash`, each to the one before. */
export function chainAuditRows(entries: AuditAppend[], prevHash: string): AuditRow[] {
  let previous = prevHash;
  return entries.map(({ actor, meta, event, at }) => {
    const row: AuditRow = {
      at,
      actorKind: actor.kind,
      actorId: actor.id,
      agencyId: actor.agencyId,
      ip: meta.ip,
      correlationId: meta.correlationId,
      action: event.action,
      entityType: event.entityType,
      entityIds: event.entityIds,
      prevHash: previous,
      hash: '',
    };
    row.hash = hashAuditEntry(row);
    previous = row.hash;
    return row;
  });
}

/** The columns of an audit entry's row, in the order {@link auditRowValues} gives them. */
export const AUDIT_COLUMNS =
  'at, actor_kind, actor_id, agency_id, ip, correlation_id, action, entity_type, entity_ids, prev_hash, hash';

/** One row's placeholders for {@link AUDIT_COLUMNS}: `(?, ?, …)`. */
export const AUDIT_ROW_PLACEHOLDERS = `(${AUDIT_COLUMNS.split(', ')
  .map(() => '?')
  .join(', ')})`;

/**
 * A row's values in {@link AUDIT_COLUMNS} order, as the ORM writes them: `at` as an ISO instant
 * on PostgreSQL and as milliseconds since the epoch on SQLite, the entity ids as JSON text.
 */
export function auditRowValues(row: AuditRow, postgres: boolean): (string | number | null)[] {
  return [
    postgres ? row.at.toISOString() : row.at.getTime(),
    row.actorKind,
    row.actorId,
    row.agencyId,
    row.ip,
    row.correlationId,
    row.action,
    row.entityType,
    JSON.stringify(row.entityIds),
    row.prevHash,
    row.hash,
  ];
}

/**
 * Appends entries in order, each chained to the one before, inside `em`'s transaction (the
 * caller's, or one of their own): one lock, one read of the chain's head, one multi-row insert.
 * Inside the caller's transaction they are plain statements on its connection, not a nested
 * `transactional` (a savepoint, a fork and its flush) with a `findOne` and `insertMany`: the
 * entry commits or rolls back with the change, as before, for less CPU and fewer round trips
 * (docs/decisions.md, "Performance"; bench/RESULTS.md, writes and ingest side by side).
 */
export async function appendAuditEntries(em: EntityManager, entries: AuditAppend[]): Promise<void> {
  if (em.isInTransaction()) await appendInTransaction(em as SqlEntityManager, entries);
  else await em.transactional((tx) => appendInTransaction(tx as SqlEntityManager, entries));
}

async function appendInTransaction(em: SqlEntityManager, entries: AuditAppend[]): Promise<void> {
  const connection = em.getConnection();
  const trx = em.getTransactionContext();
  const logged = em.getLoggerContext();
  const postgres = isPostgres(em);
  if (postgres) await connection.execute(CHAIN_LOCK_SQL, [], 'run', trx, logged);
  const [head] = await connection.execute<{ hash: string }[]>(
    CHAIN_HEAD_SQL,
    [],
    'all',
    trx,
    logged,
  );
  const rows = chainAuditRows(entries, head?.hash ?? GENESIS_HASH);
  // One multi-row insert, in chain order (sequence numbers follow the rows' order).
  await connection.execute(
    `insert into audit_entry (${AUDIT_COLUMNS}) values ${rows.map(() => AUDIT_ROW_PLACEHOLDERS).join(', ')}`,
    rows.flatMap((row) => auditRowValues(row, postgres)),
    'run',
    trx,
    logged,
  );
}

/**
 * Appends one audit entry in a transaction of its own, or in the caller's when `em` is inside
 * one (so a change and its audit entry commit or fail together).
 */
export async function appendAudit(
  em: EntityManager,
  actor: Actor,
  meta: RequestMeta,
  event: AuditEvent,
): Promise<void> {
  await appendAuditEntries(em, [{ actor, meta, event, at: new Date() }]);
}

export type AuditVerification =
  { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/** Walks the chain in order; names the first entry whose hash or link does not match. */
export async function verifyAuditChain(
  em: EntityManager,
  batchSize = 1000,
): Promise<AuditVerification> {
  let previous = GENESIS_HASH;
  let after = 0;
  let entries = 0;
  for (;;) {
    const batch = await em.find(
      AuditEntry,
      { seq: { $gt: after } },
      { orderBy: { seq: 'asc' }, limit: batchSize, disableIdentityMap: true },
    );
    for (const entry of batch) {
      entries += 1;
      if (entry.prevHash !== previous) {
        return {
          ok: false,
          entries,
          brokenAt: entry.seq,
          reason: 'does not link to the entry before it (an entry was removed or reordered)',
        };
      }
      if (hashAuditEntry(entry) !== entry.hash) {
        return {
          ok: false,
          entries,
          brokenAt: entry.seq,
          reason: 'its content does not match its hash (the entry was altered)',
        };
      }
      previous = entry.hash;
      after = entry.seq;
    }
    if (batch.length < batchSize) return { ok: true, entries };
  }
}
