import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRows, type CsvRow } from './csv-rows.js';

/** The body in chunks of `size` bytes, as a network splits it (mid-value, mid-character). */
function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

/** The rows read before the body ended or failed, and the failure if any. */
async function read(body: Readable): Promise<{ rows: CsvRow[]; error?: Error }> {
  const rows: CsvRow[] = [];
  try {
    for await (const row of csvRows(body)) rows.push(row);
  } catch (error) {
    return { rows, error: error as Error };
  }
  return { rows };
}

describe('csvRows', () => {
  it('reads the same rows whatever the chunks, each with the line it ends on', async () => {
    const text = 'id,name\n1,Zoë Ashford\n\n2,Ravi\n3\n';
    const expected = [
      { values: ['id', 'name'], line: 1 },
      { values: ['1', 'Zoë Ashford'], line: 2 },
      { values: ['2', 'Ravi'], line: 4 },
      { values: ['3'], line: 5 },
    ];
    for (const size of [1, 3, 7, text.length]) {
      expect(await read(chunked(text, size)), `chunks of ${size}`).toEqual({ rows: expected });
    }
  });

  it('drops a byte-order mark, even one split across chunks', async () => {
    const { rows } = await read(chunked('\uFEFFid,name\n1,Ravi\n', 1));
    expect(rows.map((row) => row.values)).toEqual([
      ['id', 'name'],
      ['1', 'Ravi'],
    ]);
  });

  it('keeps a quoted value that spans lines whole, and counts the row at its last line', async () => {
    const { rows } = await read(chunked('id,note\n1,"first line\nsecond, ""quoted"""\n2,x\n', 5));
    expect(rows).toEqual([
      { values: ['id', 'note'], line: 1 },
      { values: ['1', 'first line\nsecond, "quoted"'], line: 3 },
      { values: ['2', 'x'], line: 4 },
    ]);
  });

  it('yields the rows before an unclosed quote, then throws the parser’s error', async () => {
    const text = 'id,note\n1,fine\n2,"never closed\n3,lost\n';
    for (const size of [1, 4, text.length]) {
      const { rows, error } = await read(chunked(text, size));
      expect(rows, `chunks of ${size}`).toEqual([
        { values: ['id', 'note'], line: 1 },
        { values: ['1', 'fine'], line: 2 },
      ]);
      expect(error?.message).toMatch(/quote/i);
    }
  });
});
