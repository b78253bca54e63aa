import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BodyLimitStream, BodyTooLargeError } from './body-limit.stream.js';

function chunks(...sizes: number[]): Readable {
  return Readable.from(sizes.map((size) => Buffer.alloc(size, 'a')));
}

describe('BodyLimitStream', () => {
  it('passes a body up to the limit through unchanged and counts it', async () => {
    const limit = new BodyLimitStream(10);
    const body = Readable.from([Buffer.from('hello'), Buffer.from(' you')]);
    body.pipe(limit);
    expect((await buffer(limit)).toString()).toBe('hello you');
    expect(limit.bytes).toBe(9);
    expect(limit.exceeded).toBe(false);
  });

  it('takes a body of exactly the limit', async () => {
    const limit = new BodyLimitStream(8);
    chunks(4, 4).pipe(limit);
    expect((await buffer(limit)).length).toBe(8);
    expect(limit.exceeded).toBe(false);
  });

  it('fails with BodyTooLargeError at the chunk that goes past the limit, reading no further', async () => {
    const seen: number[] = [];
    const limit = new BodyLimitStream(10, () => seen.push(limit.bytes));
    const run = pipeline(chunks(6, 6, 6), limit, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) expect(chunk.length).toBe(6);
    });
    const error = await run.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).limit).toBe(10);
    expect((error as Error).message).toContain('HUB_INGEST_MAX_BYTES');
    expect(limit.exceeded).toBe(true);
    expect(limit.bytes).toBe(12);
    // The third chunk is never taken: the chunk callback ran for the first two only.
    expect(seen).toEqual([0, 6]);
  });
});
