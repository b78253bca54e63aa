import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testNatsUrl } from '../../../../test/support/config.js';
import { freshTarget } from '../../../../test/support/databases.js';
import { tcpProxy } from '../../../../test/support/tcp-proxy.js';
import { ConfigError } from '../config.js';
import { openDatabase, type HubDatabase } from '../db.js';
import { createLogger, type Logger } from '../log.js';
import { kitMigration } from '../migrations/kit-tables.migration.js';
import { KIT_ENTITIES } from '../subgraph.js';
import { InProcessBus, type EventBus, type HubEvent } from './bus.js';
import { createBus } from './create-bus.js';
import { JetStreamBus, type JetStreamBusOptions } from './jetstream.bus.js';
import { consumeOnce, OutboxRelay, recordEvent } from './outbox.js';

const silent = createLogger('bus-test', 'silent');

/**
 * One test's buses. `open()` is a bus as one process has it: the in-process bus is one object
 * in one process; on NATS each call is a new connection, i.e. another process.
 */
interface World {
  open(options?: Partial<JetStreamBusOptions>, log?: Logger): Promise<EventBus>;
  dispose(): Promise<void>;
}

/** Short waits so failures, redeliveries and parking take milliseconds, not the default seconds. */
const FAST: Partial<JetStreamBusOptions> = {
  maxDeliver: 3,
  ackWaitMs: 2000,
  retryDelayMs: 50,
  maxRetryDelayMs: 200,
  publishTimeoutMs: 1000,
  connectTimeoutMs: 2000,
  reconnectWaitMs: 100,
  closeTimeoutMs: 3000,
};

/** A world on its own pair of streams (deleted afterwards), so no test hears another's events. */
class NatsWorld implements World {
  readonly id = randomBytes(4).toString('hex');
  readonly names = {
    stream: `HUB_TEST_${this.id}`,
    parkedStream: `HUB_TEST_${this.id}_PARKED`,
    subjectPrefix: `hubtest_${this.id}`,
  };
  private readonly buses: EventBus[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {}

  static async create(): Promise<NatsWorld> {
    // Fails (not skips) when NATS is down: CI runs it.
    const nc = await connect({ servers: testNatsUrl!, timeout: 2000 });
    return new NatsWorld(nc, await jetstreamManager(nc));
  }

  async open(options: Partial<JetStreamBusOptions> = {}, log = silent): Promise<JetStreamBus> {
    const bus = await JetStreamBus.connect(
      { url: testNatsUrl!, ...FAST, ...this.names, ...options },
      log,
    );
    this.buses.push(bus);
    return bus;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.buses.map((bus) => bus.close()));
    for (const name of [this.names.stream, this.names.parkedStream]) {
      await this.jsm.streams.delete(name).catch(() => undefined);
    }
    await this.nc.close();
  }
}

function inProcessWorld(): World {
  const bus = new InProcessBus();
  return { open: async () => bus, dispose: () => bus.close() };
}

const buses: [string, () => Promise<World>][] = [
  ['in-process', async () => inProcessWorld()],
  ...(testNatsUrl
    ? [['NATS JetStream', () => NatsWorld.create()] as [string, () => Promise<World>]]
    : []),
];

function event(type: string, payload: Record<string, unknown> = {}): HubEvent {
  return {
    id: randomUUID(),
    type,
    source: 'bus-test',
    aggregateId: 'aggregate-1',
    occurredAt: new Date().toISOString(),
    payload,
  };
}

async function eventually(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** Long enough for a wrong extra delivery to show up before the assertions. */
const settle = () => sleep(300);

async function openTestDatabase(): Promise<{ db: HubDatabase; dispose(): Promise<void> }> {
  const fresh = freshTarget('sqlite', 'bus');
  const db = await openDatabase({
    target: fresh.target,
    entities: KIT_ENTITIES,
    migrations: [kitMigration],
    log: silent,
  });
  return {
    db,
    async dispose() {
      await db.close();
      await fresh.dispose();
    },
  };
}

describe.each(buses)('event bus contract: %s', (_name, createWorld) => {
  let world: World;
  let db: HubDatabase;
  let disposeDb: () => Promise<void>;

  beforeAll(async () => {
    ({ db, dispose: disposeDb } = await openTestDatabase());
  });
  afterAll(() => disposeDb());
  beforeEach(async () => {
    world = await createWorld();
  });
  afterEach(() => world.dispose());

  it('delivers each event to each consumer once, filtered by type', async () => {
    const bus = await world.open();
    const got: Record<string, string[]> = { onlyX: [], xAndY: [], everything: [] };
    await bus.subscribe('only-x', ['X'], async (e) => void got.onlyX!.push(e.id));
    await bus.subscribe('x-and-y', ['X', 'Y'], async (e) => void got.xAndY!.push(e.id));
    await bus.subscribe('everything', '*', async (e) => void got.everything!.push(e.id));

    const [x1, y, z, x2] = [event('X'), event('Y'), event('Z'), event('X')];
    for (const e of [x1!, y!, z!, x2!]) await bus.publish(e);
    await eventually(
      'every consumer has its events',
      () => got.onlyX!.length >= 2 && got.xAndY!.length >= 3 && got.everything!.length >= 4,
    );
    await settle();

    expect(got).toEqual({
      onlyX: [x1!.id, x2!.id],
      xAndY: [x1!.id, y!.id, x2!.id],
      everything: [x1!.id, y!.id, z!.id, x2!.id],
    });
  });

  it('gives a consumer whose handler failed the event again, and it is applied once', async () => {
    const bus = await world.open();
    let tries = 0;
    const applied: string[] = [];
    await bus.subscribe('flaky', ['Flaky'], async (e) => {
      const fresh = await consumeOnce(db.orm, 'flaky', e, async () => {
        tries += 1;
        if (tries === 1) throw new Error('database busy');
      });
      if (fresh) applied.push(e.id);
    });

    // Through the outbox, as in a subgraph: on the in-process bus the failure fails the publish
    // and the relay publishes again; on JetStream the bus itself redelivers.
    const id = await db.orm.em
      .fork()
      .transactional((em) => recordEvent(em, 'Flaky', 'aggregate-1', {}));
    const relay = new OutboxRelay(db.orm, bus, 'bus-test', silent);
    relay.start(25);
    await eventually('the event is applied', () => applied.length === 1);
    await relay.stop();

    // Delivered yet again (a redelivery after a lost acknowledgement): skipped.
    const again: HubEvent = { ...event('Flaky'), id };
    await bus.publish(again);
    await settle();

    expect(tries).toBe(2);
    expect(applied).toEqual([id]);
    const markers = await db.orm.em
      .fork()
      .getConnection()
      .execute(`select count(*) as n from processed_event where consumer = 'flaky'`);
    expect(Number(markers[0].n)).toBe(1);
  });
});

// Runs where a NATS server is configured (HUB_TEST_NATS_URL; .ci/run sets it), like PostgreSQL.
describe.runIf(testNatsUrl)('JetStream bus', () => {
  let world: NatsWorld;
  let db: HubDatabase;
  let disposeDb: () => Promise<void>;

  beforeAll(async () => {
    ({ db, dispose: disposeDb } = await openTestDatabase());
  });
  afterAll(() => disposeDb());
  beforeEach(async () => {
    world = await NatsWorld.create();
  });
  afterEach(() => world.dispose());

  /** Applies with consumeOnce, recording what was applied (committed) and what was delivered. */
  function applier(consumer: string) {
    const applied: string[] = [];
    const delivered: string[] = [];
    const handler = async (e: HubEvent) => {
      delivered.push(e.id);
      if (await consumeOnce(db.orm, consumer, e, async () => undefined)) applied.push(e.id);
    };
    return { applied, delivered, handler };
  }

  it('keeps events for a stopped consumer and gives them all to its next process, none twice', async () => {
    const publisher = await world.open();
    const worker = applier('resumer');

    const first = await world.open();
    await first.subscribe('resumer', ['R'], worker.handler);
    const before = event('R');
    await publisher.publish(before);
    await eventually('the first event is applied', () => worker.applied.length === 1);
    await first.close();

    const whileDown = [event('R'), event('R'), event('R')];
    for (const e of whileDown) await publisher.publish(e);
    await settle();
    expect(worker.delivered).toEqual([before.id]);

    const second = await world.open();
    await second.subscribe('resumer', ['R'], worker.handler);
    await eventually('the events published while down are applied', () => {
      return worker.applied.length === 4;
    });
    await settle();
    expect(worker.applied).toEqual([before, ...whileDown].map((e) => e.id));
    expect(worker.delivered).toEqual(worker.applied);
  });

  it('shares a consumer between replicas: each event is handled by one of them', async () => {
    const publisher = await world.open();
    const byReplica: string[][] = [[], []];
    for (const [n, handled] of byReplica.entries()) {
      const replica = await world.open({ name: `replica-${n}` });
      await replica.subscribe('shared', ['S'], async (e) => {
        handled.push(e.id);
        await sleep(5);
      });
    }
    const events = Array.from({ length: 20 }, () => event('S'));
    for (const e of events) await publisher.publish(e);
    await eventually('all events are handled', () => byReplica.flat().length >= 20);
    await settle();

    const handled = byReplica.flat();
    expect(handled).toHaveLength(20);
    expect(byReplica.map((r) => r.length > 0)).toEqual([true, true]);
    expect(new Set(handled)).toEqual(new Set(events.map((e) => e.id)));
  });

  it('lets a handler in flight finish at close, and acknowledges its event', async () => {
    const worker = applier('slow');
    let started = false;
    const bus = await world.open();
    await bus.subscribe('slow', ['Slow'], async (e) => {
      started = true;
      await sleep(300);
      await worker.handler(e);
    });
    const slow = event('Slow');
    await bus.publish(slow);
    await eventually('the handler has started', () => started);
    await bus.close();
    expect(worker.applied).toEqual([slow.id]);
    const consumer = await world.jsm.consumers.info(world.names.stream, 'slow');
    expect(consumer.num_pending + consumer.num_ack_pending).toBe(0);

    const next = await world.open();
    const after = applier('slow');
    await next.subscribe('slow', ['Slow'], after.handler);
    await settle();
    expect(after.delivered).toEqual([]);
  });

  it('parks an event that keeps failing after maxDeliver tries, with one error log line', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const bus = await world.open({ maxDeliver: 3 }, log);
    let tries = 0;
    await bus.subscribe('doomed', ['Poison'], async () => {
      tries += 1;
      throw new Error('no such board b-9');
    });
    const poison = event('Poison', { boardId: 'b-9' });
    await bus.publish(poison);
    await eventually('the event is parked', () => lines.some((l) => l.level === 50));
    await settle();

    expect(tries).toBe(3);
    const errors = lines.filter((l) => Number(l.level) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      consumer: 'doomed',
      eventType: 'Poison',
      eventId: poison.id,
      tries: 3,
      err: { message: 'no such board b-9' },
    });
    expect(errors[0]!.msg).toMatch(/doomed.*Poison.*no such board b-9/);
    expect(errors[0]!.msg).toContain(poison.id);

    const parked = await world.jsm.streams.getMessage(world.names.parkedStream, {
      last_by_subj: `${world.names.subjectPrefix}.parked.doomed`,
    });
    expect(parked?.json()).toEqual(poison);
    expect(parked?.header.get('Hub-Consumer')).toBe('doomed');
    const consumer = await world.jsm.consumers.info(world.names.stream, 'doomed');
    expect(consumer.num_pending + consumer.num_ack_pending).toBe(0);
  });

  it('stores an event published twice (same id) once', async () => {
    const bus = await world.open();
    const worker = applier('dedup');
    await bus.subscribe('dedup', ['Twice'], worker.handler);
    const twice = event('Twice');
    await bus.publish(twice);
    await bus.publish({ ...twice });
    await eventually('the event is delivered', () => worker.delivered.length >= 1);
    await settle();

    const info = await world.jsm.streams.info(world.names.stream);
    expect(info.state.messages).toBe(1);
    expect(worker.delivered).toEqual([twice.id]);
  });

  it('rejects a publish when NATS is unreachable, and still closes promptly', async () => {
    const proxy = await tcpProxy(testNatsUrl!);
    const bus = await world.open({ url: proxy.url, publishTimeoutMs: 500, closeTimeoutMs: 1000 });
    await bus.publish(event('Up'));

    proxy.cut();
    const publishing = Date.now();
    await expect(bus.publish(event('Down'))).rejects.toThrow();
    expect(Date.now() - publishing).toBeLessThan(3000);

    const closing = Date.now();
    await bus.close();
    expect(Date.now() - closing).toBeLessThan(3000);
  });
});

describe('createBus', () => {
  it('keeps the in-process bus as the default and refuses to start without NATS', async () => {
    expect(await createBus('memory', silent)).toBeInstanceOf(InProcessBus);
    await expect(createBus('nats://127.0.0.1:1', silent)).rejects.toThrow(
      'cannot reach NATS at nats://127.0.0.1:1',
    );
    await expect(createBus('kafka://x', silent)).rejects.toBeInstanceOf(ConfigError);
  });
});
