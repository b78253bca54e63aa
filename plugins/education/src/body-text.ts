import type { Readable } from 'node:stream';

/**
 * The body's text as it arrives, chunk by chunk. Bytes are decoded as UTF-8 with `fatal`, so a
 * byte sequence that is not UTF-8 is an error rather than a silent replacement character; a
 * character split between two chunks is carried over to the next.
 */
export async function* bodyText(body: Readable): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    if (typeof chunk === 'string') yield chunk;
    else yield decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** The message of something thrown, for a problem report. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
