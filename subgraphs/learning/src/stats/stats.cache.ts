import type { EntityManager } from '@mikro-orm/core';
import {
  loadStatsChanges,
  loadStatsTable,
  patchStatsTable,
  type StatsTable,
} from './stats.table.js';

/**
 * Rows (one per escalation) kept across all boards, about 56 bytes each (40 of columns and the
 * key's prefix, KEY_BYTES): 1,000,000 is about 56 MB, and holds every board of a hub with a
 * million escalations.
 */
export const STATS_CACHE_ROWS = 1_000_000;

/**
 * The board's read-model version: the projection adds one in the same transaction as every
 * change to the board's rows, and a replay adds one to every board and records it as the
 * board's rebuild. Both 0 before any event.
 */
export async function statsVersion(
  em: EntityManager,
  boardId: string,
): Promise<{ version: number; rebuilt: number }> {
  const rows = await em
    .getConnection()
    .execute<{ version: number | string; rebuilt_version: number | string }[]>(
      'select version, rebuilt_version from stats_board_version where board_id = ?',
      [boardId],
      'all',
    );
  return rows.length
    ? { version: Number(rows[0]!.version), rebuilt: Number(rows[0]!.rebuilt_version) }
    : { version: 0, rebuilt: 0 };
}

/** Figures kept per table, by what they were computed for; the least recently used go first. */
export const FIGURES_PER_TABLE = 64;

interface Kept {
  version: number;
  rebuilt: number;
  table: StatsTable;
}

/**
 * Each board's statistics table, kept between requests while its read model is unchanged: the
 * rows change only when an escalation event arrives, and reading a large board's rows is most
 * of a request's cost. Every request reads the board's version first (one indexed row); when it
 * moved, the rows changed since the kept version are read and folded into a copy of the kept
 * table (a few rows, where reading the board whole is tens of thousands), and the board is read
 * whole only when it was rebuilt by a replay, brings a month or kind the table has not met, or
 * is not kept. So an answer is never older than the version it read, in this process or in any
 * replica. Least recently used boards go when the rows kept pass `maxRows`.
 */
export class StatsTableCache {
  private readonly boards = new Map<string, Kept>();
  private readonly loading = new Map<string, Promise<StatsTable>>();
  private rows = 0;
  /** Figures computed from a table, by key; they go with the table they came from. */
  private readonly figures = new WeakMap<StatsTable, Map<string, unknown>>();
  /** Boards read whole, kept tables brought up to date from their changed rows, figures computed. */
  readonly counts = { loads: 0, patches: 0, computed: 0 };

  constructor(private readonly maxRows = STATS_CACHE_ROWS) {}

  async table(em: EntityManager, boardId: string): Promise<StatsTable> {
    // The version first: rows read after it are at least that new.
    const { version, rebuilt } = await statsVersion(em, boardId);
    const cached = this.boards.get(boardId);
    if (cached && cached.version === version && cached.rebuilt === rebuilt) {
      this.boards.delete(boardId);
      this.boards.set(boardId, cached);
      return cached.table;
    }
    // Requests that miss together share one load.
    const key = `${boardId}@${version}.${rebuilt}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = (
        cached && cached.rebuilt === rebuilt
          ? this.patch(em, boardId, cached)
          : this.load(em, boardId, version, rebuilt)
      ).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /**
   * What `compute` makes of `table` for `key`, computed once for each table and key. A table is
   * never changed (a new version of the board is a new table, and `table()` answers the new one
   * as soon as the version moved), so figures computed from it stay true of it; `key` must say
   * everything else they depend on (the filter, the themes, the threshold). Answers several
   * analysts' dashboards asking the same between events without counting the board again.
   */
  figuresOf<T>(table: StatsTable, key: string, compute: () => T): T {
    let kept = this.figures.get(table);
    if (!kept) {
      kept = new Map();
      this.figures.set(table, kept);
    }
    if (kept.has(key)) {
      const value = kept.get(key) as T;
      kept.delete(key);
      kept.set(key, value);
      return value;
    }
    const value = compute();
    this.counts.computed += 1;
    if (kept.size >= FIGURES_PER_TABLE) kept.delete(kept.keys().next().value!);
    kept.set(key, value);
    return value;
  }

  /** Rows kept now, across boards. */
  get size(): number {
    return this.rows;
  }

  private async load(
    em: EntityManager,
    boardId: string,
    version: number,
    rebuilt: number,
  ): Promise<StatsTable> {
    const table = await loadStatsTable(em, boardId);
    this.counts.loads += 1;
    this.keep(boardId, { version, rebuilt, table });
    return table;
  }

  /** The kept table with the rows changed since its version, or the board read whole. */
  private async patch(em: EntityManager, boardId: string, kept: Kept): Promise<StatsTable> {
    const changes = await loadStatsChanges(em, boardId, kept.version);
    const table =
      changes && changes.rebuilt === kept.rebuilt
        ? patchStatsTable(kept.table, changes.rows)
        : null;
    // Read whole, labelled with the version just read: its rows are at least that new.
    if (!changes || !table)
      return this.load(em, boardId, changes?.version ?? 0, changes?.rebuilt ?? 0);
    this.counts.patches += 1;
    this.keep(boardId, { version: changes.version, rebuilt: changes.rebuilt, table });
    return table;
  }

  private keep(boardId: string, kept: Kept): void {
    const current = this.boards.get(boardId);
    // A version and its rebuild are read together, so a later version is never of an older rebuild.
    if (current && current.version > kept.version) return;
    if (current) {
      this.boards.delete(boardId);
      this.rows -= current.table.size;
    }
    if (kept.table.size > this.maxRows) return;
    this.boards.set(boardId, kept);
    this.rows += kept.table.size;
    for (const [oldest, entry] of this.boards) {
      if (this.rows <= this.maxRows) break;
      this.boards.delete(oldest);
      this.rows -= entry.table.size;
    }
  }
}
