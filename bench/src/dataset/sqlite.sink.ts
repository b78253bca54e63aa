import Database from 'libsql';
import { BufferedSink } from './row.sink.js';
import type { Row, SubgraphName, TableSpec } from './tables.js';

/** Rows per multi-row INSERT: few enough statements, far below SQLite's bound variables. */
const ROWS_PER_STATEMENT = 100;

type Statement = ReturnType<Database.Database['prepare']>;

/**
 * Writes into the subgraphs' SQLite files through libsql (the driver the hub's ORM uses), one
 * transaction per file for the whole load, with prepared multi-row INSERTs. Values are stored as
 * the hub's ORM stores them: instants as epoch milliseconds, booleans as 0/1, JSON as text.
 */
export class SqliteSink extends BufferedSink {
  private readonly databases = new Map<SubgraphName, Database.Database>();
  private readonly statements = new Map<string, Statement>();

  constructor(files: Record<SubgraphName, string>, batchRows = 20_000) {
    super(batchRows);
    for (const [db, file] of Object.entries(files) as [SubgraphName, string][]) {
      const database = new Database(file);
      database.exec('pragma busy_timeout = 5000');
      // A failed load is redone rather than recovered, so it need not wait for the disk.
      database.exec('pragma synchronous = off');
      database.exec('begin immediate');
      this.databases.set(db, database);
    }
  }

  protected async write(db: SubgraphName, spec: TableSpec, queued: unknown[]): Promise<void> {
    const rows = queued as Row[];
    const database = this.databases.get(db)!;
    const bools = spec.columns.flatMap(([, type], i) => (type === 'bool' ? [i] : []));
    const full = Math.floor(rows.length / ROWS_PER_STATEMENT) * ROWS_PER_STATEMENT;
    const many = full > 0 ? this.statement(database, db, spec, ROWS_PER_STATEMENT) : null;
    const params: unknown[] = [];
    for (let i = 0; i < full; i += ROWS_PER_STATEMENT) {
      params.length = 0;
      for (let j = i; j < i + ROWS_PER_STATEMENT; j += 1) pushRow(params, rows[j]!, bools);
      many!.run(params);
    }
    if (full < rows.length) {
      const one = this.statement(database, db, spec, 1);
      for (let j = full; j < rows.length; j += 1) {
        params.length = 0;
        pushRow(params, rows[j]!, bools);
        one.run(params);
      }
    }
  }

  protected async commit(): Promise<void> {
    for (const database of this.databases.values()) {
      database.exec('commit');
      database.close();
    }
    this.databases.clear();
  }

  async abort(): Promise<void> {
    for (const database of this.databases.values()) {
      try {
        database.exec('rollback');
      } finally {
        database.close();
      }
    }
    this.databases.clear();
  }

  private statement(
    database: Database.Database,
    db: SubgraphName,
    spec: TableSpec,
    count: number,
  ): Statement {
    const key = `${db}.${spec.name}.${count}`;
    let statement = this.statements.get(key);
    if (!statement) {
      const tuple = `(${spec.columns.map(() => '?').join(', ')})`;
      statement = database.prepare(
        `insert into ${spec.name} (${spec.columns.map(([name]) => name).join(', ')}) values ${Array(
          count,
        )
          .fill(tuple)
          .join(', ')}`,
      );
      this.statements.set(key, statement);
    }
    return statement;
  }
}

function pushRow(params: unknown[], row: Row, bools: number[]): void {
  const start = params.length;
  for (const value of row) params.push(value ?? null);
  for (const i of bools) {
    const value = params[start + i];
    if (value !== null) params[start + i] = value ? 1 : 0;
  }
}
