import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse, type Info } from 'csv-parse';

/** One row of a CSV body. */
export interface CsvRow {
  readonly values: string[];
  /** The line on which the row ends (a quoted value may span lines). */
  readonly line: number;
}

/**
 * For a plugin's `parse`: streams the rows of a CSV body (RFC 4180, UTF-8, an optional byte-order
 * mark; blank lines passed over; rows may differ in length, which the caller judges). When the
 * CSV cannot be read further, the rows before the fault are yielded first and then the parser's
 * error is thrown: the plugin turns it into a problem, as `parse` never throws.
 *
 * The body is fed to csv-parse chunk by chunk and its rows taken as they are parsed, rather than
 * by iterating the parser: its stream drops rows it has parsed but not yet handed on when it
 * fails, and those rows must reach the report.
 */
export async function* csvRows(body: Readable): AsyncGenerator<CsvRow> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  const ready: CsvRow[] = [];
  let failure: Error | undefined;
  parser.on('data', ({ record, info }: { record: string[]; info: Info }) => {
    ready.push({ values: record, line: info.lines });
  });
  parser.on('error', (error: Error) => {
    failure ??= error;
  });
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      parser.write(chunk);
      yield* ready.splice(0);
      if (failure) throw failure;
    }
    parser.end();
    await finished(parser).catch(() => undefined);
    yield* ready.splice(0);
    if (failure) throw failure;
  } finally {
    parser.destroy();
  }
}
