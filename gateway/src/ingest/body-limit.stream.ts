import { Transform, type TransformCallback } from 'node:stream';

/** The body grew past the ingest limit (HUB_INGEST_MAX_BYTES) while it was being read. */
export class BodyTooLargeError extends Error {
  constructor(
    /** The limit, in bytes. */
    readonly limit: number,
  ) {
    super(`the body is larger than the hub takes (HUB_INGEST_MAX_BYTES, ${limit} bytes)`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Passes a request body through unchanged while counting its bytes, and fails with
 * {@link BodyTooLargeError} at the first chunk that takes it past `limit`. A Content-Length
 * header is checked before reading, but a chunked body has none, so only counting bounds it.
 */
export class BodyLimitStream extends Transform {
  /** Bytes passed so far. */
  bytes = 0;
  /** True once the body went past the limit. */
  exceeded = false;

  constructor(
    readonly limit: number,
    /** Called for every chunk that arrives (the route's stall timer). */
    private readonly onChunk: () => void = () => undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.onChunk();
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.exceeded = true;
      callback(new BodyTooLargeError(this.limit));
      return;
    }
    callback(null, chunk);
  }
}
