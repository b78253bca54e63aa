import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  MemoryApplier,
  runIngest,
  type AgencyPlugin,
  type IngestReport,
  type MapResult,
} from '@hub/plugin-sdk';
import type { HealthSource } from './health.source.js';

/** A fixture file's bytes (plugins/health/fixtures/…). */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
}

export const JSON_TYPE = 'application/fhir+json';
export const XML_TYPE = 'application/fhir+xml';

/** A byte stream of `body`, in chunks of `chunkSize` bytes (all at once by default). */
export function streamOf(body: string | Uint8Array, chunkSize?: number): Readable {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const size = chunkSize ?? Math.max(bytes.length, 1);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks, { objectMode: false });
}

/** One item of a body as parse yielded it, with what map made of a source record. */
export type ReadItem =
  | { type: 'problem'; field: string; message: string }
  | { type: 'record'; sourceId: string; mapped: MapResult };

/** Parses a body and maps every source record, as the runner does, without applying anything. */
export async function readItems(
  plugin: AgencyPlugin<HealthSource>,
  body: string | Uint8Array | Readable,
  contentType: string,
  chunkSize?: number,
): Promise<ReadItem[]> {
  const stream = body instanceof Readable ? body : streamOf(body, chunkSize);
  const items: ReadItem[] = [];
  let index = 0;
  for await (const item of plugin.parse(stream, { contentType })) {
    if (item.type === 'problem') {
      items.push({ type: 'problem', field: item.field, message: item.message });
    } else {
      items.push({
        type: 'record',
        sourceId: item.sourceId,
        mapped: plugin.map(item.record, { index }),
      });
    }
    index++;
  }
  return items;
}

/** The canonical records of a read body, in order. */
export function recordsOf(items: ReadItem[]): unknown[] {
  return items.flatMap((item) =>
    item.type === 'record' && item.mapped.outcome === 'records' ? [...item.mapped.records] : [],
  );
}

/** Ingests a body through the SDK's runner into a memory applier (kept for a second ingest). */
export async function ingest(
  plugin: AgencyPlugin<HealthSource>,
  body: string | Uint8Array,
  contentType: string,
  applier = new MemoryApplier(),
): Promise<{ report: IngestReport; applier: MemoryApplier }> {
  const report = await runIngest({ plugin, body: streamOf(body), contentType, applier });
  return { report, applier };
}
