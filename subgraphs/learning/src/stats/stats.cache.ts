import type { EntityManager } from '@mikro-orm/core';
import { loadStatsTable, type StatsTable } from './stats.table.js';

/**
 * Rows (one per escalation) kept across all boards, about 40 bytes each: 1,000,000 is about
 * 40 MB, and holds every board of a hub with a million escalations.
 */
export const STATS_CACHE_ROWS = 1_000_000;

/**
 * The board's read-model version: the projection adds one in the same transaction as every
 * change to the board's rows, and a replay adds one to every board. 0 before any event.
 */
export async function statsVersion(em: EntityManager, boardId: string): Promise<number> {
  const rows = await em
    .getConnection()
    .execute<{ version: number | string }[]>(
      'select version from stats_board_version where board_id = ?',
      [boardId],
      'all',
    );
  return rows.length ? Number(rows[0]!.version) : 0;
}

/**
 * Each board's statistics table, kept between requests while its read model is unchanged: the
 * rows change only when an escalation event arrives, and reading a large board's rows is most
 * of a request's cost. Every request reads the board's version first (one indexed row) and
 * reloads when it moved, so an answer is never older than the version it read, in this process
 * or in any replica. Least recently used boards go when the rows kept pass `maxRows`.
 */
export class StatsTableCache {
  private readonly boards = new Map<string, { version: number; table: StatsTable }>();
  private readonly loading = new Map<string, Promise<StatsTable>>();
  private rows = 0;

  constructor(private readonly maxRows = STATS_CACHE_ROWS) {}

  async table(em: EntityManager, boardId: string): Promise<StatsTable> {
    // The version first: rows read after it are at least that new.
    const version = await statsVersion(em, boardId);
    const cached = this.boards.get(boardId);
    if (cached && cached.version === version) {
      this.boards.delete(boardId);
      this.boards.set(boardId, cached);
      return cached.table;
    }
    // Requests that miss together share one load.
    const key = `${boardId}@${version}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = loadStatsTable(em, boardId).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
      this.keep(boardId, version, await pending);
    }
    return pending;
  }

  /** Rows kept now, across boards. */
  get size(): number {
    return this.rows;
  }

  private keep(boardId: string, version: number, table: StatsTable): void {
    const current = this.boards.get(boardId);
    if (current && current.version > version) return;
    if (current) {
      this.boards.delete(boardId);
      this.rows -= current.table.size;
    }
    if (table.size > this.maxRows) return;
    this.boards.set(boardId, { version, table });
    this.rows += table.size;
    for (const [oldest, entry] of this.boards) {
      if (this.rows <= this.maxRows) break;
      this.boards.delete(oldest);
      this.rows -= entry.table.size;
    }
  }
}
