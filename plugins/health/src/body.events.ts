import type { Readable } from 'node:stream';

/**
 * What the JSON and XML readers find in a FHIR body, in body order, as they find it: the Bundle's
 * type before its entries, each entry as soon as it is complete, or the single resource a body
 * that is not a Bundle holds. A `fatal` event is the last.
 */
export type BodyEvent =
  | { type: 'bundle'; bundleType: unknown }
  | { type: 'entry'; entryIndex: number; entry: unknown }
  | { type: 'resource'; resource: unknown }
  | { type: 'fatal'; field: string; message: string };

/** A reader fed the body's bytes as they arrive, queueing the events it finds. */
export interface PushParser {
  /** Reads the next bytes; events they complete are queued. */
  write(chunk: Uint8Array): void;
  /** The body is over: anything left unfinished is a fatal event. */
  end(): void;
  /** The queued events, oldest first; the queue is emptied. */
  take(): BodyEvent[];
  /** Whether a fatal event was queued: nothing more is read. */
  readonly stopped: boolean;
}

/** Bytes handed to a parser at once, so the entry size limit is checked at least this often. */
const SLICE = 64 * 1024;

/**
 * Streams a body through a push parser. The body is read only as fast as the events are taken,
 * and it is never destroyed: when reading stops early (a fatal problem), the caller (an HTTP
 * server answering the ingest report) still owns a working request.
 */
export async function* bodyEvents(body: Readable, parser: PushParser): AsyncGenerator<BodyEvent> {
  try {
    const chunks: AsyncIterable<unknown> =
      typeof body.iterator === 'function' ? body.iterator({ destroyOnReturn: false }) : body;
    for await (const chunk of chunks) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
      for (let at = 0; at < bytes.length && !parser.stopped; at += SLICE) {
        parser.write(bytes.subarray(at, at + SLICE));
        yield* parser.take();
      }
      if (parser.stopped) return;
    }
  } catch (error) {
    yield {
      type: 'fatal',
      field: 'body',
      message: `the body could not be read: ${error instanceof Error ? error.message : error}`,
    };
    return;
  }
  parser.end();
  yield* parser.take();
}

/** The fatal event for an entry (or single-resource body) over the size limit. */
export function tooLarge(entryIndex: number | null, maxEntryBytes: number): BodyEvent {
  return {
    type: 'fatal',
    field: entryIndex === null ? 'body' : `entry[${entryIndex}]`,
    message:
      `${entryIndex === null ? 'the resource (or the Bundle before its first whole entry)' : 'the entry'} ` +
      `is larger than ${maxEntryBytes} ` +
      'bytes (the maxEntryBytes option); the rest of the body is not read',
  };
}
