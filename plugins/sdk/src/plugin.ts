import type { Readable } from 'node:stream';
import type { AgencyKind, CanonicalRecordInput } from '@hub/schema';

/**
 * The plugin contract. A plugin is a plain object from a factory
 * (`healthPlugin(options): AgencyPlugin`): `parse` streams source records out of a body, `map`
 * turns one source record into canonical records. Neither touches the hub: the runner validates
 * what `map` returns and the hub applies it through its own rules.
 */
export interface AgencyPlugin<TSource = unknown> {
  /** Unique name: the `{plugin}` of `POST /ingest/{plugin}` and part of every record's key. */
  readonly name: string;
  /** Only INTEGRATION accounts of an agency of this kind may ingest through the plugin. */
  readonly agencyKind: AgencyKind;
  /** Media types `parse` reads, without parameters, e.g. `application/fhir+json`. */
  readonly contentTypes: readonly string[];
  /** One line for people: what the plugin reads. */
  readonly description: string;
  /**
   * Streams source records out of `body` as it arrives, never buffering it whole. Bad input is
   * yielded as a {@link SourceProblem}, never thrown; after a problem that leaves the rest of the
   * body unreadable (malformed JSON or XML) the stream ends.
   */
  parse(body: Readable, context: ParseContext): AsyncIterable<SourceItem<TSource>>;
  /**
   * Turns one source record into canonical records (usually one), or says why it is skipped
   * (a resource the plugin does not use) or rejected (naming the field). Pure: the same source
   * record always maps to the same result. May throw only for a bug; the runner reports that as
   * a rejection and goes on.
   */
  map(source: TSource, context: MapContext): MapResult;
}

/** What `parse` knows about the body. */
export interface ParseContext {
  /** The body's media type without parameters, one of the plugin's `contentTypes`. */
  readonly contentType: string;
}

/** What `map` knows besides the source record. */
export interface MapContext {
  /** The source record's position in the body, from 0. */
  readonly index: number;
}

/** One item of a parsed body: a source record, or a problem with part of the body. */
export type SourceItem<TSource> = SourceRecordItem<TSource> | SourceProblem;

/** A source record read from the body. */
export interface SourceRecordItem<TSource> {
  readonly type: 'record';
  /** The record's id in the source system (e.g. `Patient/abc`), for the report. */
  readonly sourceId: string;
  readonly record: TSource;
}

/** Part of the body could not be read as a source record; it is reported, never dropped. */
export interface SourceProblem {
  readonly type: 'problem';
  /** Where it is: `body` for the whole body, or e.g. `entry[3].resource`, `line 17`. */
  readonly field: string;
  readonly message: string;
  /** The source id, where it could be read. */
  readonly sourceId?: string;
}

/** What `map` answers. Build it with {@link records}, {@link skip} and {@link reject}. */
export type MapResult =
  | { readonly outcome: 'records'; readonly records: readonly CanonicalRecordInput[] }
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'rejected'; readonly field: string; readonly message: string };

/** The source record becomes these canonical records. */
export function records(...mapped: CanonicalRecordInput[]): MapResult {
  return { outcome: 'records', records: mapped };
}

/** The plugin does not use this source record (a FHIR Observation, say): not an error. */
export function skip(reason: string): MapResult {
  return { outcome: 'skipped', reason };
}

/** The source record is wrong: `field` names where (e.g. `identifier[0].value`), `message` why. */
export function reject(field: string, message: string): MapResult {
  return { outcome: 'rejected', field, message };
}
