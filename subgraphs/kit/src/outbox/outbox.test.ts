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

  it('writes events only with their transaction, keeps them while the bus is down, then publishes in order', async () => {
    // A rolled-back change leaves no event behind.
    await db.orm.em
      .fork()
      .transactional(async (tx) => {
        recordEvent(tx, 'Never', 'x', {});
        throw new Error('roll back');
      })
      .catch(() => undefined);

    const em = db.orm.em.fork();
    for (const n of [1, 2, 3]) recordEvent(em, 'Counted', `a-${n}`, { n });
    await em.flush();

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
