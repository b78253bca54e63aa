import { Readable } from 'node:stream';
import type { AgencyPlugin, MapResult, SourceProblem } from '../plugin.js';

/** A body that arrives in chunks of `size` bytes, as a network would split it. */
export function chunkedBody(bytes: Uint8Array | string, size = 7): Readable {
  const buffer = Buffer.from(bytes);
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size));
  return Readable.from(chunks);
}

/** What became of one item of a body: a source record's map result, or a problem. */
export type Outcome = ({ sourceId: string } & MapResult) | SourceProblem;

/** Parses a body and maps each source record, as the runner would, without applying anything. */
export async function outcomes<T>(
  plugin: AgencyPlugin<T>,
  body: Uint8Array | string | Readable,
  contentType: string,
): Promise<Outcome[]> {
  const stream = body instanceof Readable ? body : chunkedBody(body);
  const out: Outcome[] = [];
  let index = 0;
  for await (const item of plugin.parse(stream, { contentType })) {
    if (item.type === 'problem') out.push(item);
    else out.push({ sourceId: item.sourceId, ...plugin.map(item.record, { index }) });
    index += 1;
  }
  return out;
}
