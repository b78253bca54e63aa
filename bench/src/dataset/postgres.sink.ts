import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BufferedSink } from './row.sink.js';
import { SUBGRAPHS, type Row, type SubgraphName, type TableSpec } from './tables.js';

/** One subgraph's connection, its transaction, and the COPYs it has not finished yet. */
interface Lane {
  client: pg.Client;
  schema: string;
  copying: Promise<void>;
  copyingRows: number;
}

/**
 * Writes into the subgraphs' PostgreSQL schemas with COPY … FROM STDIN (text format), the
 * fastest way in. Each subgraph has a connection and a transaction of its own (their tables
 * reference only each other), so PostgreSQL ingests the four in parallel while the generator
 * builds the next batch; nothing commits until everything is written, so a failed load leaves
 * the schemas as the migrations made them. `vacuum (analyze)` afterwards gives the planner the
 * statistics, and the tables the visibility map, that a database that grew over years would have
 * from autovacuum: without the map PostgreSQL cannot read a board's statistics by an index-only
 * scan (stats-row-version.migration.ts) and reads the table instead.
 */
export class PostgresSink extends BufferedSink {
  private constructor(
    private readonly lanes: Record<SubgraphName, Lane>,
    private readonly batchSize: number,
  ) {
    super(batchSize);
  }

  static async open(
    url: string,
    schemas: Record<SubgraphName, string>,
    batchRows = 50_000,
  ): Promise<PostgresSink> {
    const lanes = {} as Record<SubgraphName, Lane>;
    try {
      for (const db of SUBGRAPHS) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        lanes[db] = { client, schema: schemas[db], copying: Promise.resolve(), copyingRows: 0 };
        await client.query('begin');
      }
    } catch (error) {
      for (const lane of Object.values(lanes)) await lane.client.end().catch(() => undefined);
      throw error;
    }
    return new PostgresSink(lanes, batchRows);
  }

  /** A row as a line of COPY's text format. */
  protected override encode(spec: TableSpec, row: Row): string {
    const columns = spec.columns;
    let line = '';
    for (let i = 0; i < columns.length; i += 1) {
      if (i > 0) line += '\t';
      const value = row[i];
      const type = columns[i]![1];
      if (value === null || value === undefined) line += '\\N';
      else if (type === 'time') line += new Date(value as number).toISOString();
      else if (type === 'bool') line += value ? 't' : 'f';
      else if (type === 'int') line += String(value);
      else line += escapeCopy(String(value));
    }
    return line;
  }

  protected async write(db: SubgraphName, spec: TableSpec, lines: unknown[]): Promise<void> {
    const lane = this.lanes[db];
    const body = `${lines.join('\n')}\n`;
    // One batch per subgraph in flight: memory holds at most the batches being copied and the
    // one being built.
    if (lane.copyingRows >= this.batchSize) await settle(lane);
    lane.copyingRows += lines.length;
    const sql = `copy "${lane.schema}".${spec.name} (${spec.columns.map(([name]) => name).join(', ')}) from stdin`;
    lane.copying = lane.copying.then(() =>
      pipeline(Readable.from([body]), lane.client.query(copyFrom(sql))),
    );
    // Handled here so that a failure surfaces at settle() instead of ending the process.
    lane.copying.catch(() => undefined);
  }

  protected async commit(): Promise<void> {
    const lanes = Object.values(this.lanes);
    for (const lane of lanes) await settle(lane);
    for (const lane of lanes) await lane.client.query('commit');
    for (const lane of lanes) {
      const tables = await lane.client.query<{ name: string }>(
        'select tablename as name from pg_tables where schemaname = $1',
        [lane.schema],
      );
      for (const { name } of tables.rows)
        await lane.client.query(`vacuum (analyze) "${lane.schema}".${name}`);
      await lane.client.end();
    }
  }

  async abort(): Promise<void> {
    for (const lane of Object.values(this.lanes)) {
      await lane.copying.catch(() => undefined);
      try {
        await lane.client.query('rollback');
      } finally {
        await lane.client.end();
      }
    }
  }
}

/** Waits for a lane's COPYs in flight; a failed one fails here. */
async function settle(lane: Lane): Promise<void> {
  await lane.copying;
  lane.copyingRows = 0;
}

/** COPY's text format: backslash, tab, newline and carriage return are escaped. */
function escapeCopy(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}
