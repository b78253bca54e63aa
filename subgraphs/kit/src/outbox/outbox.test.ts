import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openKitDatabase } from '../../../../test/support/databases.js';
import { type HubDatabase } from '../db.js';
import { createLogger } from '../log.js';
import { InProcessBus, type HubEvent } from './bus.js';
import { consumeOnce, OutboxRelay, recordEvent } from './outbox.js';

describe.each(databaseKinds)('transactional outbox on %s', (kind) => {
  let db: HubDatabase;
  let close: () => Promise<void>;
  const log = createLogger('test', 'silent');

  beforeAll(async () => {
    ({ db, close } = await openKitDatabase(kind, 'outbox'));
  });
  afterAll(() => close());

  /** Each event of `type` in order: its aggregate, whether it is published, its attempts. */
  const publication = async (type: string): Promise<[string, boolean, number][]> =>
    (
      await db.orm.em
        .fork()
        .getConnection()
        .execute(
          `select aggregate_id, published_at is not null as published, attempts from outbox_event
            where type = ? order by seq`,
          [type],
        )
    ).map((r: { aggregate_id: string; published: number | boolean; attempts: number }) => [
      r.aggregate_id,
      Boolean(r.published),
      Number(r.attempts),
    ]);

  it('writes events only with their transaction, keeps them while the bus is down, then publishes in order', async () => {
    // A rolled-back change leaves no event behind.
    await db.orm.em
      .fork()
      .transactional(async (tx) => {
        await recordEvent(tx, 'Never', 'x', {});
        throw new Error('roll back');
      })
      .catch(() => undefined);

    await db.orm.em.fork().transactional(async (em) => {
      for (const n of [1, 2, 3]) await recordEvent(em, 'Counted', `a-${n}`, { n });
    });

    const bus = new InProcessBus();
    const received: HubEvent[] = [];
    let down = true;
    await bus.subscribe('test', '*', async (event) => {
      if (down) throw new Error('consumer down');
      received.push(event);
    });
    const relay = new OutboxRelay(db.orm, bus, 'kit-test', log);
    await expect(relay.drain()).rejects.toThrow('consumer down');
    const pending = await db.orm.em
      .fork()
      .getConnection()
      .execute(`select count(*) as n from outbox_event where published_at is null`);
    expect(Number(pending[0].n)).toBe(3);

    down = false;
    await relay.stop(); // stop drains what is pending
    expect(received.map((e) => [e.type, e.payload.n])).toEqual([
      ['Counted', 1],
      ['Counted', 2],
      ['Counted', 3],
    ]);
    expect(await relay.drain()).toBe(0);
  });

  it('refuses to write an event outside a transaction, where it could outlive its change', async () => {
    await expect(recordEvent(db.orm.em.fork(), 'Loose', 'x', {})).rejects.toThrow(
      'recordEvent(Loose) outside a transaction',
    );
    const rows = await db.orm.em
      .fork()
      .getConnection()
      .execute(`select count(*) as n from outbox_event where type = 'Loose'`);
    expect(Number(rows[0].n)).toBe(0);
  });

  it('marks a batch of published events with one statement, not one per event', async () => {
    await db.orm.em.fork().transactional(async (em) => {
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) await recordEvent(em, 'Batched', `b-${n}`, { n });
    });
    const bus = new InProcessBus();
    const received: unknown[] = [];
    await bus.subscribe('test', ['Batched'], async (event) => {
      received.push(event.payload.n);
    });
    const relay = new OutboxRelay(db.orm, bus, 'kit-test', log);
    const before = db.queries.statements.length;
    const counted = db.queries.count;
    expect(await relay.drain()).toBe(8);
    expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const sent = db.queries.statements.slice(before);
    expect(sent.filter((sql) => /^update\b/i.test(sql.trim()))).toHaveLength(1);
    // The read of the batch, its update, and the read that finds nothing left (with any
    // transaction statements around the update): far fewer than one per event.
    expect(db.queries.count - counted).toBeLessThan(8);
  });

  it('marks the events the bus took before one it refused, and counts the refused one', async () => {
    await db.orm.em.fork().transactional(async (em) => {
      for (const n of [1, 2, 3]) await recordEvent(em, 'Partly', `p-${n}`, { n });
    });
    const bus = new InProcessBus();
    const received: unknown[] = [];
    await bus.subscribe('test', ['Partly'], async (event) => {
      if (event.payload.n === 2) throw new Error('consumer refuses 2');
      received.push(event.payload.n);
    });
    const relay = new OutboxRelay(db.orm, bus, 'kit-test', log);
    await expect(relay.drain()).rejects.toThrow('consumer refuses 2');
    expect(await publication('Partly')).toEqual([
      ['p-1', true, 0],
      ['p-2', false, 1],
      ['p-3', false, 0],
    ]);
    expect(received).toEqual([1]);
  });

  /** Rows of `type` in the outbox, by their payload's `n`, in order. */
  const echoed = async (type: string): Promise<number[]> =>
    (
      await db.orm.em
        .fork()
        .getConnection()
        .execute(`select payload from outbox_event where type = ? order by seq`, [type])
    ).map((row: { payload: string | { n: number } }) =>
      Number((typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload).n),
    );
  const unpublished = async (type: string): Promise<number> =>
    Number(
      (
        await db.orm.em
          .fork()
          .getConnection()
          .execute(
            `select count(*) as n from outbox_event where type = ? and published_at is null`,
            [type],
          )
      )[0].n,
    );
  const commits = (statements: string[]) =>
    statements.filter((sql) => /^commit\b/i.test(sql.trim())).length;

  it("applies a batched consumer's events of a relay batch in one transaction, each once", async () => {
    await db.orm.em.fork().transactional(async (em) => {
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) await recordEvent(em, 'Tallied', `t-${n}`, { n });
    });
    const bus = new InProcessBus();
    for (const [consumer, batched] of [
      ['tally-batched', true],
      ['tally-alone', false],
    ] as const) {
      await bus.subscribe(
        consumer,
        ['Tallied'],
        (event) =>
          consumeOnce(db.orm, consumer, event, async (tx) => {
            await recordEvent(tx, `Echo-${consumer}`, event.aggregateId, { n: event.payload.n });
          }).then(() => undefined),
        { batched },
      );
    }
    const relay = new OutboxRelay(db.orm, bus, 'kit-test', log);
    const before = db.queries.statements.length;
    // The eight, then the echoes they wrote (published to no one), and what earlier tests left.
    expect(await relay.drain()).toBeGreaterThanOrEqual(8 + 16);
    const sent = db.queries.statements.slice(before);
    expect(await unpublished('Tallied')).toBe(0);
    expect(await echoed('Echo-tally-batched')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await echoed('Echo-tally-alone')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // One commit for the batched consumer's eight events, eight for the other's.
    expect(commits(sent)).toBe(1 + 8);

    // Delivered again (a relay stopped before marking them), nothing is applied twice.
    const again = await db.orm.em
      .fork()
      .getConnection()
      .execute(
        `select id, type, aggregate_id, occurred_at, payload from outbox_event where type = 'Tallied' order by seq`,
      );
    const { taken } = await bus.publishBatch(
      again.map((row: Record<string, any>) => ({
        id: row.id,
        type: row.type,
        source: 'kit-test',
        aggregateId: row.aggregate_id,
        occurredAt: new Date().toISOString(),
        payload: {},
      })),
    );
    expect(taken).toBe(8);
    expect(await echoed('Echo-tally-batched')).toHaveLength(8);
  });

  it('rolls back only the batched event that failed, keeps those before it, and gives it again', async () => {
    await db.orm.em.fork().transactional(async (em) => {
      for (const n of [1, 2, 3, 4]) await recordEvent(em, 'Flaky', `f-${n}`, { n });
    });
    const bus = new InProcessBus();
    let down = true;
    await bus.subscribe(
      'flaky',
      ['Flaky'],
      async (event) => {
        await consumeOnce(db.orm, 'flaky', event, async (tx) => {
          await recordEvent(tx, 'Echo-flaky', event.aggregateId, { n: event.payload.n });
          await tx.flush();
          if (down && event.payload.n === 3) throw new Error('consumer refuses 3');
        });
      },
      { batched: true },
    );
    const relay = new OutboxRelay(db.orm, bus, 'kit-test', log);
    await expect(relay.drain()).rejects.toThrow('consumer refuses 3');
    // 3's echo, written before it failed, went with its savepoint; 1 and 2 were committed.
    expect(await echoed('Echo-flaky')).toEqual([1, 2]);
    expect(await publication('Flaky')).toEqual([
      ['f-1', true, 0],
      ['f-2', true, 0],
      ['f-3', false, 1],
      ['f-4', false, 0],
    ]);

    down = false;
    await relay.drain();
    expect(await unpublished('Flaky')).toBe(0);
    expect(await echoed('Echo-flaky')).toEqual([1, 2, 3, 4]);
  });

  it('applies an event once per consumer, however often it is delivered', async () => {
    const event: HubEvent = {
      id: '11111111-1111-4111-8111-111111111111',
      type: 'T',
      source: 's',
      aggregateId: 'a',
      occurredAt: new Date().toISOString(),
      payload: {},
    };
    let applied = 0;
    const apply = async () => {
      applied += 1;
    };
    expect(await consumeOnce(db.orm, 'c1', event, apply)).toBe(true);
    expect(await consumeOnce(db.orm, 'c1', event, apply)).toBe(false);
    expect(await consumeOnce(db.orm, 'c2', event, apply)).toBe(true);
    expect(applied).toBe(2);
  });
});
