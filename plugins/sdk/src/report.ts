import type { CanonicalRecord } from '@hub/schema';

/**
 * The ingest report (`../shared/api/README.md`): counts per source record, and every rejected
 * one with the field and the reason. `received` = created + updated + unchanged + skipped +
 * rejected.length.
 */
export interface IngestReport {
  plugin: string;
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  rejected: Rejection[];
}

/** A source record (or part of the body) that was not applied, and why. */
export interface Rejection {
  /** The source record's position in the body, from 0; -1 for the body as a whole. */
  index: number;
  sourceId: string | null;
  /** Where: a field of the source record (`identifier[0].value`) or of its canonical record. */
  field: string;
  message: string;
}

/** What applying one canonical record did. */
export type ApplyOutcome =
  | { status: 'created' | 'updated' | 'unchanged' }
  | { status: 'rejected'; field: string; message: string };

/** A validated canonical record on its way to the hub, with where it came from. */
export interface PendingRecord {
  /** The source record's position in the body. */
  index: number;
  plugin: string;
  record: CanonicalRecord;
}

/**
 * Applies batches of canonical records: the hub's applier (HTTP to the subgraphs), or the
 * conformance kit's in-memory one. Answers one outcome per record, in order. Each record is
 * applied whole or not at all, idempotently by (plugin, sourceId, sourceVersion): a record seen
 * before with the same version is `unchanged`.
 */
export interface RecordApplier {
  apply(batch: readonly PendingRecord[]): Promise<ApplyOutcome[]>;
}
