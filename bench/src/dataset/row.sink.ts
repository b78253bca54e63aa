import { SUBGRAPHS, TABLES, type Row, type SubgraphName, type TableSpec } from './tables.js';

/** Where generated rows go: queued per table, written in batches. */
export interface RowSink {
  /** Queues one row of `table` in subgraph `db`'s database, values in the table's column order. */
  add(db: SubgraphName, table: string, row: Row): void;
  /** Writes the queued rows once enough have gathered (or all of them with `force`). */
  drain(force?: boolean): Promise<void>;
  /** Writes what is left and commits. */
  finish(): Promise<void>;
  /** Rolls back what was written and closes. */
  abort(): Promise<void>;
  /** Rows written (or queued) so far, per subgraph and table. */
  readonly counts: Record<SubgraphName, Record<string, number>>;
}

/**
 * Keeps each table's rows until a database has `batchRows` of them, then writes that database's
 * tables in their listed order (parents first), so memory stays flat however large the dataset.
 */
export abstract class BufferedSink implements RowSink {
  readonly counts = Object.fromEntries(SUBGRAPHS.map((db) => [db, {}])) as Record<
    SubgraphName,
    Record<string, number>
  >;
  private readonly queued = new Map<SubgraphName, Map<string, unknown[]>>();
  private readonly specs = new Map<string, TableSpec>();
  private readonly pending = new Map<SubgraphName, number>();

  constructor(private readonly batchRows: number) {
    for (const db of SUBGRAPHS) {
      this.queued.set(db, new Map(TABLES[db].map((t) => [t.name, []])));
      for (const spec of TABLES[db]) this.specs.set(`${db}.${spec.name}`, spec);
      this.pending.set(db, 0);
    }
  }

  add(db: SubgraphName, table: string, row: Row): void {
    const rows = this.queued.get(db)!.get(table);
    if (!rows) throw new Error(`the dataset writes no table ${db}.${table}`);
    rows.push(this.encode(this.specs.get(`${db}.${table}`)!, row));
    this.pending.set(db, this.pending.get(db)! + 1);
    const counts = this.counts[db];
    counts[table] = (counts[table] ?? 0) + 1;
  }

  async drain(force = false): Promise<void> {
    for (const db of SUBGRAPHS) {
      const pending = this.pending.get(db)!;
      if (pending === 0 || (!force && pending < this.batchRows)) continue;
      for (const spec of TABLES[db]) {
        const rows = this.queued.get(db)!.get(spec.name)!;
        if (rows.length === 0) continue;
        this.queued.get(db)!.set(spec.name, []);
        await this.write(db, spec, rows);
      }
      this.pending.set(db, 0);
    }
  }

  async finish(): Promise<void> {
    await this.drain(true);
    await this.commit();
  }

  abstract abort(): Promise<void>;

  /**
   * What is queued for a row until its batch is written: the row itself by default. Encoding it
   * at once lets the row die young, which keeps the garbage collector's work down.
   */
  protected encode(_spec: TableSpec, row: Row): unknown {
    return row;
  }

  /** Writes the queued (encoded) rows of one table of one database. */
  protected abstract write(db: SubgraphName, spec: TableSpec, rows: unknown[]): Promise<void>;

  /** Commits everything written. */
  protected abstract commit(): Promise<void>;
}
