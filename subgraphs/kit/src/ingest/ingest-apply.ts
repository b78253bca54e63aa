import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { canonicalRecordSchema, Role, type AgencyKind, type AgencyRef } from '@hub/schema';
import type { Router } from 'express';
import { z } from 'zod';
import type { RequestMeta } from '../actor.js';
import type { AuditEvent } from '../audit/audit.js';
import { inSavepoint } from '../db.js';
import { HubError, isClientErrorCode, violatedUniqueKey } from '../errors.js';
import type { Logger } from '../log.js';
import { insertRows } from '../insert-rows.js';
import { selectRows } from '../loaders.js';
import { internalRequestMeta } from '../server.js';
import { IngestLedgerEntry } from './ingest-ledger.entity.js';

/** Most records one `POST /internal/ingest/apply` takes (the gateway sends smaller batches). */
export const MAX_INGEST_BATCH = 500;

/**
 * The body of `POST /internal/ingest/apply` on the cases and escalations subgraphs: canonical
 * records (validated again here: the hub trusts no caller's validation) and the integration
 * account whose token the gateway accepted, re-checked on every call.
 */
export const ingestApplyRequestSchema = z.object({
  integration: z.object({ practitionerId: z.uuid('must be an id (UUID)') }),
  records: z
    .array(
      z.object({
        index: z.number().int().min(0),
        plugin: z.string().trim().min(1, 'must not be empty').max(100),
        record: canonicalRecordSchema,
      }),
    )
    .max(MAX_INGEST_BATCH),
});

export type IngestApplyRequest = z.infer<typeof ingestApplyRequestSchema>;
/** One record of a batch, with its plugin and its place in the ingested body. */
export type IngestItem = IngestApplyRequest['records'][number];

/** What applying one record did (the plugin SDK's ApplyOutcome). */
export type IngestOutcome =
  | { status: 'created' | 'updated' | 'unchanged' }
  | { status: 'rejected'; field: string; message: string };

/**
 * A record the hub's rules refuse: `field` names where in the canonical record
 * (`child.identifiers.0.value`, `raisedBy.email`), `message` why, in words the agency may see.
 * Rolls back that record alone. `audit`, when given, is written with the rest of the batch after
 * the record's own changes were rolled back (a refusal the audit log must keep).
 */
export class IngestRejection extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly audit?: AuditEvent,
  ) {
    super(message);
    this.name = 'IngestRejection';
  }
}

/**
 * A typed error of the hub's rules (a `HubError`: BAD_USER_INPUT, POLICY_VIOLATION,
 * WHISTLEBLOWING_ROUTE, ...) as a rejection: `field` maps the GraphQL input field it names (or
 * none) to the canonical record's, and the message loses its `input.…: ` prefix. Anything else
 * is not a rejection (null): an unexpected error fails the batch.
 */
export function rejectionFrom(
  error: unknown,
  field: (inputField: string | undefined, code: string) => string,
): IngestRejection | null {
  if (error instanceof IngestRejection) return error;
  if (!(error instanceof HubError) || !isClientErrorCode(error.extensions.code)) return null;
  const inputField = error.extensions.field as string | undefined;
  const message =
    inputField && error.message.startsWith(`${inputField}: `)
      ? error.message.slice(inputField.length + 2)
      : error.message;
  return new IngestRejection(field(inputField, error.extensions.code), message);
}

/** What applying a record did, and the hub entity it is about. */
export interface Applied {
  outcome: 'created' | 'updated' | 'unchanged';
  entityId: string;
}

/**
 * Applies one record inside its own savepoint. `previous` is the ledger entry of an earlier
 * version of the same source record (null the first time); the batch updates the ledger.
 */
export type ApplyRecord = (
  tx: EntityManager,
  item: IngestItem,
  previous: IngestLedgerEntry | null,
) => Promise<Applied>;

export interface IngestBatchOptions {
  /** The ingesting agency: the ledger's key is per agency. */
  agencyId: string;
  /** The kinds this subgraph owns; others are rejected with field `kind`. */
  kinds: readonly string[];
  /** Where the others go, for the rejection's message (e.g. `the escalations subgraph`). */
  owner: string;
  now: Date;
  /** Writes a rejection's audit event in the batch's transaction. */
  audit(event: AuditEvent, tx: EntityManager): Promise<void>;
  apply: ApplyRecord;
}

/**
 * Applies a batch in one transaction, each record in a savepoint of its own (on both
 * SQLite and PostgreSQL), in order, so a later record may build on an earlier one of the same
 * batch. A rejected record rolls back only itself; any other error rolls back the whole batch and
 * is thrown. Idempotent by (agency, plugin, kind, source id) and source version: a version
 * already applied is `unchanged` and writes nothing.
 */
export async function applyIngestBatch(
  em: EntityManager,
  items: readonly IngestItem[],
  options: IngestBatchOptions,
): Promise<IngestOutcome[]> {
  return em.transactional(async (batch) => {
    const ledger = await readLedger(batch, items, options);
    const outcomes: IngestOutcome[] = [];
    // Each record works in a fork of its own, so `batch` never holds the records' entities
    // (merged into it, a batch of 500 records listed about 2,500 of them for each record).
    for (const item of items) outcomes.push(await applyOne(batch, item, options, ledger));
    return outcomes;
  });
}

/** A ledger entry as the batch knows it: its id and the source version it last applied. */
interface LedgerRow {
  id: string;
  sourceVersion: string;
}

/** The ledger's rows a batch has read or written, by {@link ledgerKey}. */
type BatchLedger = Map<string, LedgerRow>;

/** A source record's place in the ledger within one agency: plugin, kind and source id. */
function ledgerKey(plugin: string, kind: string, sourceId: string): string {
  return JSON.stringify([plugin, kind, sourceId]);
}

/**
 * The ledger's entries for every record of the batch this subgraph owns, read before any is
 * applied: one statement for each plugin and kind in the batch (usually one or two), where one
 * a record was about a twelfth of the statements an ingest sent. An export sent again unchanged
 * is then one read a batch. The batch keeps the map up to date as its records apply
 * (a later record may be a newer version of an earlier one), and a record that collides with
 * another batch's write reads its entry again (`applyOne`).
 */
async function readLedger(
  batch: EntityManager,
  items: readonly IngestItem[],
  options: IngestBatchOptions,
): Promise<BatchLedger> {
  const groups = new Map<string, { plugin: string; kind: string; sourceIds: Set<string> }>();
  for (const { plugin, record } of items) {
    if (!options.kinds.includes(record.kind)) continue;
    const group = ledgerKey(plugin, record.kind, '');
    let found = groups.get(group);
    if (!found) groups.set(group, (found = { plugin, kind: record.kind, sourceIds: new Set() }));
    found.sourceIds.add(record.sourceId);
  }
  const ledger: BatchLedger = new Map();
  for (const { plugin, kind, sourceIds } of groups.values()) {
    const ids = [...sourceIds];
    const rows = await selectRows<LedgerRow & { sourceId: string }>(
      batch,
      'select id, source_id as "sourceId", source_version as "sourceVersion" from ingest_ledger' +
        ` where agency_id = ? and plugin = ? and kind = ? and source_id in (${'?, '.repeat(ids.length - 1)}?)`,
      [options.agencyId, plugin, kind, ...ids],
    );
    for (const row of rows) {
      ledger.set(ledgerKey(plugin, kind, row.sourceId), {
        id: row.id,
        sourceVersion: row.sourceVersion,
      });
    }
  }
  return ledger;
}

async function applyOne(
  batch: EntityManager,
  item: IngestItem,
  options: IngestBatchOptions,
  ledger: BatchLedger,
): Promise<IngestOutcome> {
  const { record, plugin } = item;
  if (!options.kinds.includes(record.kind)) {
    return {
      status: 'rejected',
      field: 'kind',
      message: `this part of the hub applies ${options.kinds.join(' and ')} records; ${record.kind} records go to ${options.owner}`,
    };
  }
  const key = { agencyId: options.agencyId, plugin, kind: record.kind, sourceId: record.sourceId };
  const known = ledgerKey(plugin, record.kind, record.sourceId);
  for (let attempt = 1; ; attempt += 1) {
    // The entry as the batch read it, before any savepoint: an unchanged record (most of an
    // export sent again) writes nothing.
    const row =
      attempt === 1
        ? ledger.get(known)
        : (
            await selectRows<LedgerRow>(
              batch,
              'select id, source_version as "sourceVersion" from ingest_ledger where agency_id = ? and plugin = ? and kind = ? and source_id = ?',
              [key.agencyId, key.plugin, key.kind, key.sourceId],
            )
          )[0];
    if (row?.sourceVersion === record.sourceVersion) return { status: 'unchanged' };
    try {
      const applied = await inSavepoint(batch, RECORD_SAVEPOINT, (tx) =>
        applyInSavepoint(tx, item, key, row?.id ?? null, options),
      );
      ledger.set(known, { id: applied.ledgerId, sourceVersion: record.sourceVersion });
      return { status: applied.outcome };
    } catch (error) {
      if (error instanceof IngestRejection) {
        if (error.audit) await options.audit(error.audit, batch);
        return { status: 'rejected', field: error.field, message: error.message };
      }
      // Another batch applied the same source record (or recorded the same child identifier)
      // after this one looked: look again, once, and find what it wrote.
      if (attempt === 1 && violatedUniqueKey(error)) continue;
      throw error;
    }
  }
}

/** Each record's savepoint (`inSavepoint`): records are applied one after another. */
const RECORD_SAVEPOINT = 'ingest_record';

/**
 * What a new or changed record does inside its savepoint: the record, then the ledger's entry
 * (`entryId`: a changed record's, loaded to be updated; null for a new one), whose id it answers.
 */
async function applyInSavepoint(
  tx: EntityManager,
  item: IngestItem,
  key: { agencyId: string; plugin: string; kind: string; sourceId: string },
  entryId: string | null,
  options: IngestBatchOptions,
): Promise<{ outcome: Applied['outcome']; ledgerId: string }> {
  const { record } = item;
  const previous = entryId ? await tx.findOneOrFail(IngestLedgerEntry, { id: entryId }) : null;
  // The batch read the ledger when it began; another batch may have applied this very version
  // since (on PostgreSQL each statement sees what has been committed). The entry as read now
  // says so, and the version is not applied twice.
  if (previous?.sourceVersion === record.sourceVersion) {
    return { outcome: 'unchanged', ledgerId: previous.id };
  }
  const applied = await options.apply(tx, item, previous);
  const ledgerId = previous?.id ?? randomUUID();
  if (previous) {
    previous.sourceVersion = record.sourceVersion;
    previous.lastAppliedAt = options.now;
  } else {
    await insertRows(tx, IngestLedgerEntry, [
      {
        id: ledgerId,
        ...key,
        sourceVersion: record.sourceVersion,
        entityId: applied.entityId,
        firstAppliedAt: options.now,
        lastAppliedAt: options.now,
      },
    ]);
  }
  return { outcome: applied.outcome, ledgerId };
}

/** An agency of a board as the directory has it, for resolving an {@link AgencyRef}. */
export interface DirectoryAgency {
  id: string;
  kind: AgencyKind;
  name: string;
}

function comparableAgencyName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The board's agency an {@link AgencyRef} names: by kind, and by name (without regard to case or
 * spacing) where given or where the board has several of that kind. Unknown or ambiguous is a
 * rejection at `field` saying which agencies the board has (directory data, not case data).
 */
export function resolveAgencyRef(
  agencies: readonly DirectoryAgency[],
  ref: AgencyRef,
  field: string,
): DirectoryAgency {
  const ofKind = agencies.filter((agency) => agency.kind === ref.kind);
  const names = (list: readonly DirectoryAgency[]) =>
    list
      .map((agency) => `"${agency.name}"`)
      .sort()
      .join(', ');
  if (ofKind.length === 0) {
    const kinds = [...new Set(agencies.map((agency) => agency.kind))].sort().join(', ');
    throw new IngestRejection(
      field,
      `the board has no ${ref.kind} agency (its agencies are of kinds ${kinds || 'none'})`,
    );
  }
  if (ref.name !== undefined) {
    const wanted = comparableAgencyName(ref.name);
    const named = ofKind.filter((agency) => comparableAgencyName(agency.name) === wanted);
    if (named.length === 1) return named[0];
    throw new IngestRejection(
      field,
      `no ${ref.kind} agency of the board is named "${ref.name}"; its ${ref.kind} agencies: ${names(ofKind)}`,
    );
  }
  if (ofKind.length === 1) return ofKind[0];
  throw new IngestRejection(
    field,
    `the board has ${ofKind.length} ${ref.kind} agencies (${names(ofKind)}): name one`,
  );
}

/**
 * Why an account may not ingest, or null when it may: it exists, is active, holds INTEGRATION
 * and belongs to a known agency. Both subgraphs check it on every call (the cases subgraph from
 * its directory, the escalations subgraph from the cases subgraph's facts), so a deactivation
 * stops ingest at once.
 */
export function integrationRefusal(
  account: { active: boolean; roles: readonly string[] } | null,
  agencyKnown: boolean,
): string | null {
  if (!account) return 'no integration account with this id';
  if (!account.active) return 'the integration account is deactivated';
  if (!account.roles.includes(Role.INTEGRATION))
    return 'the account does not hold the INTEGRATION role';
  if (!agencyKnown) return "the integration account's agency is not known";
  return null;
}

/** How one subgraph checks the integration account and applies a batch. */
export interface IngestRouteOptions<S> {
  log: Logger;
  /** Tells the outbox relay that events were written. */
  changed(): void;
  /**
   * Re-checks the integration account on every call: answers what scopes the batch (its agency
   * and board), or why the account may not ingest (answered 403).
   */
  authorize(practitionerId: string, meta: RequestMeta): Promise<S | { refused: string }>;
  apply(request: IngestApplyRequest, scope: S, meta: RequestMeta): Promise<IngestOutcome[]>;
}

/** `records.3.record.child.name: must not be empty`: every problem of a malformed body. */
function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || 'body',
    message: issue.message,
  }));
}

/**
 * `POST /internal/ingest/apply`: a malformed body is 400 naming every field, an integration
 * account that may not ingest is 403 `{ error }`, a batch is 200 `{ outcomes }` (one per record,
 * in order), and an unexpected error is 500 after the whole batch rolled back, logged with the
 * correlation id.
 */
export function ingestApplyRoute<S>(router: Router, options: IngestRouteOptions<S>): void {
  router.post('/ingest/apply', async (req, res) => {
    const meta = internalRequestMeta(res);
    const parsed = ingestApplyRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      res.status(400).json({
        error: issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
        issues,
      });
      return;
    }
    try {
      const scope = await options.authorize(parsed.data.integration.practitionerId, meta);
      if (scope && typeof scope === 'object' && 'refused' in scope) {
        res.status(403).json({ error: scope.refused });
        return;
      }
      const outcomes = await options.apply(parsed.data, scope as S, meta);
      options.changed();
      res.json({ outcomes });
    } catch (error) {
      options.log.error(
        { err: error, correlationId: meta.correlationId, records: parsed.data.records.length },
        'an ingest batch failed: none of it was written',
      );
      res.status(500).json({
        error: 'The batch failed and none of it was written; the hub logged why.',
        correlationId: meta.correlationId,
      });
    }
  });
}
