import { canonicalRecordSchema, type CanonicalRecord } from '@hub/schema';
import { fieldPath } from './field-path.js';
import type { ApplyOutcome, PendingRecord, RecordApplier } from './report.js';

/**
 * An in-memory {@link RecordApplier} for plugin authors' tests and the conformance kit. It keeps
 * the hub's idempotency contract: a record is keyed by (plugin, kind, sourceId) and is `created`
 * the first time, `unchanged` when its sourceVersion is the one applied last, `updated`
 * otherwise. It checks the references a plugin can get wrong, in batch order across batches: a
 * `disagreement` needs its `caseSourceId`'s case, an `escalation-record` its
 * `disagreementSourceId`'s disagreement, applied before from the same plugin.
 *
 * It is not the hub: it has no directory (practitioners' emails and agencies are not looked up),
 * no child matching and none of the procedure's rules, so a record it accepts may still be
 * rejected by the hub. It keeps everything it is given; use it for test-sized bodies.
 */
export class MemoryApplier implements RecordApplier {
  /** Every batch applied, in order: what reached the "hub", for tests of batching. */
  readonly batches: (readonly PendingRecord[])[] = [];
  readonly #applied = new Map<string, { version: string; record: CanonicalRecord }>();

  async apply(batch: readonly PendingRecord[]): Promise<ApplyOutcome[]> {
    this.batches.push([...batch]);
    return batch.map((pending) => this.#applyOne(pending));
  }

  /** The record last applied under this key, if any. */
  get(
    plugin: string,
    kind: CanonicalRecord['kind'],
    sourceId: string,
  ): CanonicalRecord | undefined {
    return this.#applied.get(key(plugin, kind, sourceId))?.record;
  }

  /** How many distinct records (by plugin, kind and sourceId) have been applied. */
  get size(): number {
    return this.#applied.size;
  }

  #applyOne({ plugin, record: input }: PendingRecord): ApplyOutcome {
    // The runner has validated already; checking again keeps this applier honest when a test
    // hands it records directly, and answers with canonical field paths as the hub does.
    const check = canonicalRecordSchema.safeParse(input);
    if (!check.success) {
      const issue = check.error.issues[0]!;
      return { status: 'rejected', field: fieldPath(issue.path), message: issue.message };
    }
    const record = check.data;
    if (
      record.kind === 'disagreement' &&
      !this.#applied.has(key(plugin, 'case', record.caseSourceId))
    ) {
      return {
        status: 'rejected',
        field: 'caseSourceId',
        message: `no case with sourceId "${record.caseSourceId}" has been ingested through plugin "${plugin}"`,
      };
    }
    if (
      record.kind === 'escalation-record' &&
      !this.#applied.has(key(plugin, 'disagreement', record.disagreementSourceId))
    ) {
      return {
        status: 'rejected',
        field: 'disagreementSourceId',
        message: `no disagreement with sourceId "${record.disagreementSourceId}" has been ingested through plugin "${plugin}"`,
      };
    }
    const recordKey = key(plugin, record.kind, record.sourceId);
    const known = this.#applied.get(recordKey);
    if (known?.version === record.sourceVersion) return { status: 'unchanged' };
    this.#applied.set(recordKey, { version: record.sourceVersion, record });
    return { status: known ? 'updated' : 'created' };
  }
}

function key(plugin: string, kind: string, sourceId: string): string {
  // JSON keeps the parts apart whatever characters a source id holds.
  return JSON.stringify([plugin, kind, sourceId]);
}
