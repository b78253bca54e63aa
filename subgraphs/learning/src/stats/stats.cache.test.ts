import { randomUUID } from 'node:crypto';
import {
  createLogger,
  KIT_ENTITIES,
  kitMigration,
  openDatabase,
  type HubDatabase,
  type HubEvent,
} from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget } from '../../../../test/support/databases.js';
import * as entities from '../entities/index.js';
import { learningMigrations } from '../migrations/index.js';
import { FIGURES_PER_TABLE, StatsTableCache } from './stats.cache.js';
import { applyStatsEvent, bumpEveryStatsVersion, statsKeyer } from './stats.projection.js';
import { loadStatsTable } from './stats.table.js';

const log = createLogger('test', 'silent');
const BOARD_A = '00000000-0000-4000-8000-00000000000a';
const BOARD_B = '00000000-0000-4000-8000-00000000000b';
const BOARD_C = '00000000-0000-4000-8000-00000000000c';
const BOARD_D = '00000000-0000-4000-8000-00000000000d';

/** The categories of a table's rows, sorted. */
const countsOf = (table: { size: number; category: Uint8Array; categories: readonly string[] }) =>
  Array.from({ length: table.size }, (_, i) => table.categories[table.category[i]!]).sort();

describe.each(databaseKinds)('the statistics cache on %s', (kind) => {
  const fresh = freshTarget(kind, 'learning');
  // Two connections to one database: the cache's process, and a replica applying events.
  let reader: HubDatabase;
  let replica: HubDatabase;
  const open = (migrate: boolean) =>
    openDatabase({
      target: fresh.target,
      entities: [...KIT_ENTITIES, ...Object.values(entities)],
      migrations: [kitMigration, ...learningMigrations],
      log,
      migrate,
    });
  beforeAll(async () => {
    reader = await open(true);
    replica = await open(false);
  });
  afterAll(async () => {
    await reader?.close();
    await replica?.close();
    await fresh.dispose();
  });

  /** Applies an event as the live consumer does, on the replica, in a transaction of its own. */
  async function apply(type: string, boardId: string, escalationId: string, extra = {}) {
    const event: HubEvent = {
      id: randomUUID(),
      type,
      source: 'escalations',
      aggregateId: escalationId,
      occurredAt: '2027-01-10T10:00:00Z',
      payload: {
        escalationId,
        boardId,
        raisedAt: '2027-01-10T10:00:00Z',
        category: type === 'EscalationRaised' ? `C${escalationId.slice(-1)}` : 'C0',
        raisingAgencyKind: 'POLICE',
        respondingAgencyKind: 'HEALTH',
        startStage: 1,
        ...extra,
      },
    };
    await replica.orm.em.fork().transactional(async (em) => {
      await applyStatsEvent(em, await statsKeyer(em), event);
    });
  }
  const escalation = (n: number) => `00000000-0000-4000-8000-00000000010${n}`;

  beforeAll(async () => {
    for (const n of [1, 2, 3]) await apply('EscalationRaised', BOARD_A, escalation(n));
    for (const n of [4, 5]) await apply('EscalationRaised', BOARD_B, escalation(n));
  });

  it("serves a board's table from memory until an event for that board arrives", async () => {
    const cache = new StatsTableCache();
    const em = () => reader.orm.em.fork();
    const first = await cache.table(em(), BOARD_A);
    expect(countsOf(first)).toEqual(['C1', 'C2', 'C3']);
    expect(await cache.table(em(), BOARD_A)).toBe(first);

    // Another board's event leaves this board's table alone.
    const boardB = await cache.table(em(), BOARD_B);
    await apply('StageEntered', BOARD_B, escalation(4), { stageNumber: 2 });
    expect(await cache.table(em(), BOARD_A)).toBe(first);
    const movedB = await cache.table(em(), BOARD_B);
    expect(movedB).not.toBe(boardB);
    expect([...movedB.highestStage].sort()).toEqual([1, 2]);

    // An event applied elsewhere (another replica) is seen on the next request.
    await apply('StageEntered', BOARD_A, escalation(1), { stageNumber: 3 });
    const moved = await cache.table(em(), BOARD_A);
    expect(moved).not.toBe(first);
    expect([...moved.highestStage].sort()).toEqual([1, 1, 3]);
  });

  it('reloads every board after a replay moves every version', async () => {
    const cache = new StatsTableCache();
    const a = await cache.table(reader.orm.em.fork(), BOARD_A);
    const b = await cache.table(reader.orm.em.fork(), BOARD_B);
    await replica.orm.em.fork().transactional((em) => bumpEveryStatsVersion(em));
    expect(await cache.table(reader.orm.em.fork(), BOARD_A)).not.toBe(a);
    expect(await cache.table(reader.orm.em.fork(), BOARD_B)).not.toBe(b);
  });

  it('shares one load between requests that miss together', async () => {
    const cache = new StatsTableCache();
    const [one, two] = await Promise.all([
      cache.table(reader.orm.em.fork(), BOARD_A),
      cache.table(reader.orm.em.fork(), BOARD_A),
    ]);
    expect(one).toBe(two);
  });

  it('lets the least recently used boards go past its bound', async () => {
    const cache = new StatsTableCache(3);
    const a = await cache.table(reader.orm.em.fork(), BOARD_A);
    expect(cache.size).toBe(3);
    // B's 2 rows and A's 3 are over the bound of 3: A goes.
    await cache.table(reader.orm.em.fork(), BOARD_B);
    expect(cache.size).toBe(2);
    expect(await cache.table(reader.orm.em.fork(), BOARD_A)).not.toBe(a);
    expect(cache.size).toBe(3);
  });

  it('brings a kept board up to date from the rows changed since its version alone', async () => {
    const cache = new StatsTableCache();
    const em = () => reader.orm.em.fork();
    // Ids ending 1–3: categories C1–C3 (the apply helper's rule).
    const c = (n: number) => `00000000-0000-4000-8000-0000000003${String(n).padStart(2, '0')}`;
    for (const n of [1, 2, 3]) await apply('EscalationRaised', BOARD_C, c(n));
    const first = await cache.table(em(), BOARD_C);
    expect(cache.counts).toEqual({ loads: 1, patches: 0, computed: 0 });

    // A row changed and a row added, with values the table has met: patched, not read whole.
    await apply('StageEntered', BOARD_C, c(1), { stageNumber: 2 });
    await apply('EscalationRaised', BOARD_C, c(11));
    const second = await cache.table(em(), BOARD_C);
    expect(cache.counts).toEqual({ loads: 1, patches: 1, computed: 0 });
    expect(second).toEqual(await loadStatsTable(em(), BOARD_C));
    expect(countsOf(second)).toEqual(['C1', 'C1', 'C2', 'C3']);
    expect([...second.highestStage].sort()).toEqual([1, 1, 1, 2]);
    // The table served before is left as it was, for requests still computing over it.
    expect(countsOf(first)).toEqual(['C1', 'C2', 'C3']);
    expect(await cache.table(em(), BOARD_C)).toBe(second);

    // A category the table has not met renumbers its dictionary: the board is read whole.
    await apply('EscalationRaised', BOARD_C, c(4));
    expect(await cache.table(em(), BOARD_C)).toEqual(await loadStatsTable(em(), BOARD_C));
    expect(cache.counts).toEqual({ loads: 2, patches: 1, computed: 0 });

    // A rebuild that drops a row (no row version shows a deletion): read whole, row gone.
    await replica.orm.em.fork().transactional(async (tx) => {
      await bumpEveryStatsVersion(tx);
      const keyOf = await statsKeyer(tx);
      await tx
        .getConnection()
        .execute(
          'delete from stats_escalation where key = ?',
          [keyOf(c(2))],
          'run',
          tx.getTransactionContext(),
        );
    });
    const rebuilt = await cache.table(em(), BOARD_C);
    expect(cache.counts).toEqual({ loads: 3, patches: 1, computed: 0 });
    expect(countsOf(rebuilt)).toEqual(['C1', 'C1', 'C3', 'C4']);
  });

  it("computes figures once for a table and key, and again once the board's version moved", async () => {
    const cache = new StatsTableCache();
    const em = () => reader.orm.em.fork();
    const d = (n: number) => `00000000-0000-4000-8000-0000000004${String(n).padStart(2, '0')}`;
    for (const n of [1, 2]) await apply('EscalationRaised', BOARD_D, d(n));
    let runs = 0;
    const categories = (table: Awaited<ReturnType<typeof cache.table>>, key = 'categories') =>
      cache.figuresOf(table, key, () => {
        runs += 1;
        return countsOf(table);
      });

    const first = await cache.table(em(), BOARD_D);
    expect(categories(first)).toEqual(['C1', 'C2']);
    expect(categories(await cache.table(em(), BOARD_D))).toEqual(['C1', 'C2']);
    expect(runs).toBe(1);
    // Another key is other figures.
    expect(categories(first, 'again')).toEqual(['C1', 'C2']);
    expect(runs).toBe(2);

    // An event for the board: the next request's table is new, and so are its figures.
    await apply('EscalationRaised', BOARD_D, d(3));
    expect(categories(await cache.table(em(), BOARD_D))).toEqual(['C1', 'C2', 'C3']);
    expect(runs).toBe(3);
    expect(cache.counts.computed).toBe(3);
    // The figures of the table served before stay those of that table.
    expect(categories(first)).toEqual(['C1', 'C2']);
    expect(runs).toBe(3);
  });

  it('keeps a bounded number of figures a table, the least recently used going first', async () => {
    const cache = new StatsTableCache();
    const table = await cache.table(reader.orm.em.fork(), BOARD_A);
    // Full: these and the one asked all along.
    const keys = Array.from({ length: FIGURES_PER_TABLE - 1 }, (_, i) => `filter ${i}`);
    for (const key of keys) {
      cache.figuresOf(table, key, () => key);
      cache.figuresOf(table, 'asked all along', () => 'all along');
    }
    expect(cache.counts.computed).toBe(FIGURES_PER_TABLE);
    // One more: the least recently used (filter 0) goes, the one asked all along stays.
    cache.figuresOf(table, 'one more', () => 'more');
    expect(cache.figuresOf(table, 'asked all along', () => 'computed again')).toBe('all along');
    expect(cache.figuresOf(table, keys[1]!, () => 'computed again')).toBe(keys[1]);
    expect(cache.figuresOf(table, keys[0]!, () => 'computed again')).toBe('computed again');
  });

  it('keeps nothing with a bound of 0 (LEARNING_STATS_CACHE_ROWS=0)', async () => {
    const cache = new StatsTableCache(0);
    const first = await cache.table(reader.orm.em.fork(), BOARD_A);
    expect(await cache.table(reader.orm.em.fork(), BOARD_A)).not.toBe(first);
    expect(cache.size).toBe(0);
  });
});
