import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Writes a generated feed to a file as it is generated: text is gathered into chunks of about
 * 64 KiB and written with back-pressure, so a feed of any size takes the same memory.
 */
export class FeedWriter {
  private readonly stream: WriteStream;
  private parts: string[] = [];
  private pending = 0;
  private written = 0;

  constructor(file: string) {
    this.stream = createWriteStream(file);
  }

  /** Adds text; resolves at once unless a chunk is due and the file is behind. */
  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.written += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Writes what is left and closes the file; resolves with its size in bytes. */
  async close(): Promise<number> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    return this.written;
  }
}
