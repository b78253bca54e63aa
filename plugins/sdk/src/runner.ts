import type { Readable } from 'node:stream';
import { canonicalRecordSchema, type CanonicalRecord } from '@hub/schema';
import { fieldPath } from './field-path.js';
import { mediaType } from './media-type.js';
import type { AgencyPlugin, MapResult, SourceItem } from './plugin.js';
import type {
  ApplyOutcome,
  IngestReport,
  PendingRecord,
  RecordApplier,
  Rejection,
} from './report.js';

/** How many canonical records the runner hands the applier at once unless told otherwise. */
export const DEFAULT_BATCH_SIZE = 500;

/** What {@link runIngest} needs: a plugin, a body, and where validated records go. */
export interface RunIngestOptions<TSource = unknown> {
  /** The plugin that reads the body. */
  plugin: AgencyPlugin<TSource>;
  /** The agency system's export or message, read as it arrives (an HTTP request, a file). */
  body: Readable;
  /** The body's `Content-Type` as sent; parameters such as `; charset=utf-8` are ignored. */
  contentType: string;
  /** Applies validated canonical records: the hub's applier, or a `MemoryApplier` in tests. */
  applier: RecordApplier;
  /**
   * Canonical records per `applier.apply` call. A source record's records are never split, so
   * a batch may exceed this by one source record's records.
   * @default 500
   */
  batchSize?: number;
  /** Called after each item of the body is accounted for (a CLI's progress bar). */
  onProgress?: (progress: IngestProgress) => void;
  /** Stops the run: it rejects with the signal's reason; batches already applied stay applied. */
  signal?: AbortSignal;
}

/** How far a run has got. */
export interface IngestProgress {
  /** Items of the body read so far (source records and problems): the report's `received`. */
  received: number;
}

/**
 * The body's media type is not one the plugin reads. Thrown before the body is read, so an HTTP
 * layer can answer 415 with the request still intact.
 */
export class UnsupportedContentTypeError extends Error {
  constructor(
    /** The plugin's name. */
    readonly plugin: string,
    /** The media type received, without parameters (empty when none was sent). */
    readonly contentType: string,
    /** The media types the plugin reads. */
    readonly accepted: readonly string[],
  ) {
    super(
      `plugin "${plugin}" does not read ${contentType === '' ? 'a body without a content type' : contentType}; ` +
        `it reads ${accepted.join(', ')}`,
    );
    this.name = 'UnsupportedContentTypeError';
  }
}

/** One source record's validated canonical records, waiting for the next batch. */
interface QueuedSource {
  index: number;
  sourceId: string;
  records: CanonicalRecord[];
}

/**
 * Reads a body through a plugin, validates what it maps, has the applier apply it in batches and
 * reports per source record what happened.
 *
 * Every item `parse` yields, a source record or a problem, takes the next index (0, 1, 2, …), so
 * a rejection's index points at the item of the body it is about and `received` counts them all.
 * Nothing is dropped: `received = created + updated + unchanged + skipped + rejected.length`.
 *
 * - A problem, a `reject()`, a `map` that throws (field `map`) and a canonical record that fails
 *   its schema (field `records[i].…`, the zod issue's path) reject that source record alone; none
 *   of its canonical records is applied, and the run goes on.
 * - A `parse` that throws is a plugin bug that leaves the rest of the body unreadable: the run
 *   reports it as `{ index: -1, sourceId: null, field: 'body' }`, stops reading, applies what was
 *   queued and resolves with the report.
 * - An applier that throws (the hub unreachable) rejects the run with that error: the caller
 *   answers 5xx. Batches applied before it stay applied; applying is idempotent, so sending the
 *   body again is safe.
 *
 * The runner holds at most one batch: it awaits `apply` before reading on, so a large body is
 * read only as fast as the hub takes it.
 *
 * @throws {UnsupportedContentTypeError} before reading anything, when the plugin does not read
 *   the body's media type.
 */
export async function runIngest<TSource>(
  options: RunIngestOptions<TSource>,
): Promise<IngestReport> {
  const { plugin, body, applier, onProgress, signal } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const contentType = mediaType(options.contentType);
  if (!plugin.contentTypes.some((accepted) => mediaType(accepted) === contentType)) {
    throw new UnsupportedContentTypeError(plugin.name, contentType, plugin.contentTypes);
  }
  signal?.throwIfAborted();

  const report: IngestReport = {
    plugin: plugin.name,
    received: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    rejected: [],
  };
  const rejectItem = (rejection: Rejection) => {
    report.rejected.push(rejection);
  };

  let queue: QueuedSource[] = [];
  let queued = 0;
  const flush = async () => {
    if (queue.length === 0) return;
    const sources = queue;
    queue = [];
    queued = 0;
    const batch: PendingRecord[] = sources.flatMap((source) =>
      source.records.map((record) => ({ index: source.index, plugin: plugin.name, record })),
    );
    signal?.throwIfAborted();
    const outcomes = await applier.apply(batch);
    if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
      // An answer that does not line up with the batch cannot be attributed to source records.
      throw new Error(
        `the applier answered ${Array.isArray(outcomes) ? outcomes.length : 'no list of'} ` +
          `outcomes for ${batch.length} records`,
      );
    }
    let at = 0;
    for (const source of sources) {
      const own = outcomes.slice(at, at + source.records.length);
      at += source.records.length;
      fold(source, own);
    }
  };
  const fold = (source: QueuedSource, outcomes: ApplyOutcome[]) => {
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    if (rejected) {
      rejectItem({
        index: source.index,
        sourceId: source.sourceId,
        field: rejected.field,
        message: rejected.message,
      });
    } else if (outcomes.some((outcome) => outcome.status === 'created')) report.created++;
    else if (outcomes.some((outcome) => outcome.status === 'updated')) report.updated++;
    else report.unchanged++;
  };

  const take = (item: SourceItem<TSource>, index: number): QueuedSource | undefined => {
    if (item?.type === 'problem') {
      rejectItem({
        index,
        sourceId: item.sourceId ?? null,
        // A problem always names where it is; `body` is the least a reader can be told.
        field: nonEmpty(item.field) ? item.field : 'body',
        message: nonEmpty(item.message) ? item.message : 'the plugin could not read this part',
      });
      return undefined;
    }
    if (item?.type !== 'record') {
      rejectItem({
        index,
        sourceId: null,
        field: 'parse',
        message: 'parse yielded something that is neither a source record nor a problem',
      });
      return undefined;
    }
    const sourceId = item.sourceId;
    const mapRejection = (message: string): undefined => {
      rejectItem({ index, sourceId, field: 'map', message });
      return undefined;
    };
    let result: MapResult;
    try {
      result = plugin.map(item.record, { index });
    } catch (error) {
      return mapRejection(errorMessage(error));
    }
    switch (result?.outcome) {
      case 'skipped':
        report.skipped++;
        return undefined;
      case 'rejected':
        if (!nonEmpty(result.field)) {
          return mapRejection(
            `map rejected the record without naming the field: ${result.message || 'no reason given'}`,
          );
        }
        rejectItem({ index, sourceId, field: result.field, message: result.message });
        return undefined;
      case 'records':
        break;
      default:
        return mapRejection('map returned neither records(), skip() nor reject()');
    }
    if (!Array.isArray(result.records) || result.records.length === 0) {
      return mapRejection(
        'map returned no canonical record; skip(reason) says that a source record is not used',
      );
    }
    const valid: CanonicalRecord[] = [];
    const keys = new Map<string, number>();
    for (const [position, input] of result.records.entries()) {
      const check = canonicalRecordSchema.safeParse(input);
      if (!check.success) {
        const issue = check.error.issues[0]!;
        rejectItem({
          index,
          sourceId,
          field: fieldPath(['records', position, ...issue.path]),
          message: issue.message,
        });
        return undefined;
      }
      // The hub keys records by (kind, sourceId): a second one would silently overwrite the first.
      const key = `${check.data.kind}\u0000${check.data.sourceId}`;
      const earlier = keys.get(key);
      if (earlier !== undefined) {
        rejectItem({
          index,
          sourceId,
          field: `records[${position}].sourceId`,
          message: `repeats records[${earlier}] (${check.data.kind} "${check.data.sourceId}"): one source record maps to each canonical record once`,
        });
        return undefined;
      }
      keys.set(key, position);
      valid.push(check.data);
    }
    return { index, sourceId, records: valid };
  };

  let iterator: AsyncIterator<SourceItem<TSource>> | undefined;
  let finished = false;
  try {
    let index = 0;
    for (;;) {
      signal?.throwIfAborted();
      let next: IteratorResult<SourceItem<TSource>>;
      try {
        iterator ??= plugin.parse(body, { contentType })[Symbol.asyncIterator]();
        next = await iterator.next();
      } catch (error) {
        finished = true;
        report.received++;
        rejectItem({ index: -1, sourceId: null, field: 'body', message: errorMessage(error) });
        break;
      }
      if (next.done) {
        finished = true;
        break;
      }
      report.received++;
      const source = take(next.value, index++);
      if (source) {
        queue.push(source);
        queued += source.records.length;
        if (queued >= batchSize) await flush();
      }
      onProgress?.({ received: report.received });
    }
    await flush();
  } finally {
    // Leaving early (abort, applier down): let the plugin close what it opened.
    if (!finished) await iterator?.return?.().catch(() => undefined);
  }
  // Rejections found by the applier arrive a batch late; the report reads in body order, with
  // the body-level one (index -1, where reading stopped) last.
  report.rejected.sort((a, b) => order(a.index) - order(b.index));
  return report;
}

function order(index: number): number {
  return index < 0 ? Number.POSITIVE_INFINITY : index;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim() === '' ? 'the plugin failed without a message' : message;
}
