import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { EventBus, EventHandler, HubEvent, PublishedBatch } from './bus.js';

/** Where and how the JetStream bus connects, stores and retries. Defaults suit production. */
export interface JetStreamBusOptions {
  /** The NATS server(s), e.g. `nats://nats:4222` (HUB_BUS). */
  url: string;
  /** The client name the server's monitoring shows. @default 'hub' */
  name?: string;
  /** The stream holding every event. @default 'HUB_EVENTS' */
  stream?: string;
  /** The stream holding events no consumer could apply, for an operator. @default 'HUB_PARKED' */
  parkedStream?: string;
  /** Events go to `<prefix>.events.<type>`, parked copies to `<prefix>.parked.<consumer>`. @default 'hub' */
  subjectPrefix?: string;
  /** Copies of the streams in a NATS cluster. @default 1 */
  replicas?: number;
  /** How long JetStream remembers an event id to drop a republished event. @default 3_600_000 */
  duplicateWindowMs?: number;
  /** Deliveries of one event to one consumer before it is parked. @default 5 */
  maxDeliver?: number;
  /** How long a delivered event may go unacknowledged before it is delivered again. @default 30_000 */
  ackWaitMs?: number;
  /** Wait before the first redelivery after a handler failed; it doubles each time. @default 1000 */
  retryDelayMs?: number;
  /** The longest wait between redeliveries. @default 60_000 */
  maxRetryDelayMs?: number;
  /** How long `publish` waits for JetStream to store an event. @default 5000 */
  publishTimeoutMs?: number;
  /** How long the first connection and JetStream API calls may take. @default 5000 */
  connectTimeoutMs?: number;
  /** Wait between reconnection attempts (which never stop). @default 2000 */
  reconnectWaitMs?: number;
  /** Longest time `close` waits for handlers in flight and the connection to drain. @default 10_000 */
  closeTimeoutMs?: number;
}

type Settings = Required<Omit<JetStreamBusOptions, 'url'>> & { url: string };

const DEFAULTS: Omit<Settings, 'url'> = {
  name: 'hub',
  stream: 'HUB_EVENTS',
  parkedStream: 'HUB_PARKED',
  subjectPrefix: 'hub',
  replicas: 1,
  duplicateWindowMs: 3_600_000,
  maxDeliver: 5,
  ackWaitMs: 30_000,
  retryDelayMs: 1000,
  maxRetryDelayMs: 60_000,
  publishTimeoutMs: 5000,
  connectTimeoutMs: 5000,
  reconnectWaitMs: 2000,
  closeTimeoutMs: 10_000,
};

const eventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string(),
  aggregateId: z.string(),
  occurredAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
});

/** Event types and consumer names become subject tokens and durable names. */
const TOKEN = /^[A-Za-z0-9_-]+$/;

interface Subscription {
  consumer: string;
  types: string[] | '*';
  handler: EventHandler;
  messages: ConsumerMessages | null;
  loop: Promise<void>;
}

/**
 * The production bus: NATS JetStream. Every event is stored once in one durable stream (its id is
 * the message id, so a republish after a crash is dropped as a duplicate). Each subscribing
 * subgraph has a durable pull consumer named after it, so its replicas share the work and events
 * wait in the stream while it is down. An event is acknowledged only once its handler resolves;
 * a failure is redelivered after a growing delay, and after `maxDeliver` deliveries the event is
 * parked on its own stream with one error log line, never dropped silently.
 */
export class JetStreamBus implements EventBus {
  private readonly subscriptions: Subscription[] = [];
  private readonly stopping = new AbortController();
  private closing: Promise<void> | null = null;
  private readonly watching: Promise<void>;

  private constructor(
    private readonly settings: Settings,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly log: Logger,
  ) {
    this.watching = this.watchConnection();
  }

  /** Connects, and creates or updates the two streams. Rejects when NATS is not reachable. */
  static async connect(options: JetStreamBusOptions, log: Logger): Promise<JetStreamBus> {
    const settings: Settings = { ...DEFAULTS, ...options };
    const busLog = log.child({ bus: 'jetstream' });
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: settings.url,
        name: settings.name,
        timeout: settings.connectTimeoutMs,
        // Once connected, never give up: the outbox keeps events and consumers resume.
        maxReconnectAttempts: -1,
        reconnectTimeWait: settings.reconnectWaitMs,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`HUB_BUS: cannot reach NATS at ${settings.url} (${reason})`, {
        cause: error,
      });
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: settings.connectTimeoutMs });
      const bus = new JetStreamBus(settings, nc, jsm, jsm.jetstream(), busLog);
      await bus.ensureStreams();
      return bus;
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
  }

  /** Resolves once JetStream has stored the event (or already had it); rejects otherwise. */
  async publish(event: HubEvent): Promise<void> {
    if (this.closing) throw new Error('the event bus is closed');
    assertToken('event type', event.type);
    await this.js.publish(this.eventSubject(event.type), JSON.stringify(event), {
      msgID: event.id,
      timeout: this.settings.publishTimeoutMs,
      expect: { streamName: this.settings.stream },
    });
  }

  /** Publishes events one after another, each stored before the next is sent. */
  async publishBatch(events: readonly HubEvent[]): Promise<PublishedBatch> {
    for (let taken = 0; taken < events.length; taken += 1) {
      try {
        await this.publish(events[taken]);
      } catch (error) {
        return { taken, error };
      }
    }
    return { taken: events.length };
  }

  /**
   * Creates or updates the durable consumer `consumer` and handles its events in this process,
   * one at a time (each `consumeOnce` commits alone; `batched` is the in-process bus's).
   * Replicas subscribing with the same name share its events.
   */
  async subscribe(consumer: string, types: string[] | '*', handler: EventHandler): Promise<void> {
    if (this.closing) throw new Error('the event bus is closed');
    assertToken('consumer name', consumer);
    if (types !== '*') for (const type of types) assertToken('event type', type);
    await this.ensureConsumer(consumer, types);
    const subscription: Subscription = {
      consumer,
      types,
      handler,
      messages: null,
      loop: Promise.resolve(),
    };
    subscription.loop = this.run(subscription);
    this.subscriptions.push(subscription);
  }

  /**
   * Stops pulling events, lets handlers in flight finish, then drains the connection. Resolves
   * within `closeTimeoutMs` (plus a moment) even when the server is gone.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const deadline = Date.now() + this.settings.closeTimeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    this.stopping.abort();
    for (const subscription of this.subscriptions) void subscription.messages?.close();
    const handled = await within(Promise.all(this.subscriptions.map((s) => s.loop)), left());
    if (!handled) {
      this.log.warn('event handlers still running at close; their events will be delivered again');
    }
    const drained = await within(
      this.nc.drain().catch(() => undefined),
      left(),
    );
    if (!drained || !this.nc.isClosed()) await within(this.nc.close(), 1000);
    await within(this.watching, 1000);
  }

  private eventSubject(type: string): string {
    return `${this.settings.subjectPrefix}.events.${type}`;
  }

  private async ensureStreams(): Promise<void> {
    const { stream, parkedStream, subjectPrefix, replicas, duplicateWindowMs } = this.settings;
    await this.ensureStream({
      name: stream,
      subjects: [`${subjectPrefix}.events.>`],
      storage: StorageType.File,
      num_replicas: replicas,
      duplicate_window: nanos(duplicateWindowMs),
    });
    await this.ensureStream({
      name: parkedStream,
      subjects: [`${subjectPrefix}.parked.>`],
      storage: StorageType.File,
      num_replicas: replicas,
    });
  }

  private async ensureStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    try {
      await this.jsm.streams.add(config);
    } catch (error) {
      // The stream exists with other settings (e.g. an older duplicate window): bring it in line.
      if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NAME_IN_USE) throw error;
      await this.jsm.streams.update(config.name, config);
    }
  }

  private async ensureConsumer(consumer: string, types: string[] | '*'): Promise<void> {
    const { stream, ackWaitMs } = this.settings;
    const filter = this.filterFor(types);
    const updatable: Partial<ConsumerConfig> = {
      description: `hub consumer ${consumer}`,
      ack_wait: nanos(ackWaitMs),
      // The bus counts deliveries and parks the event itself; a server limit would stop
      // delivering silently (e.g. after the process died during the last try).
      max_deliver: -1,
      filter_subject: filter.subject,
      filter_subjects: filter.subjects,
    };
    try {
      await this.jsm.consumers.update(stream, consumer, updatable);
    } catch (error) {
      if (
        !(error instanceof JetStreamApiError) ||
        error.code !== JetStreamApiCodes.ConsumerNotFound
      )
        throw error;
      // A new consumer starts at the beginning of the stream, so it hears what came before it.
      await this.jsm.consumers.add(stream, {
        ...updatable,
        durable_name: consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
    }
  }

  /**
   * The server-side filter. Several subjects in one consumer need nats-server 2.10; before that
   * the consumer takes every event and `handle` acknowledges the ones it does not want.
   */
  private filterFor(types: string[] | '*'): { subject?: string; subjects?: string[] } {
    if (types === '*') return { subject: this.eventSubject('>') };
    if (types.length === 1) return { subject: this.eventSubject(types[0]!) };
    const [major = 0, minor = 0] = (this.nc.info?.version ?? '0.0').split('.').map(Number);
    if (major > 2 || (major === 2 && minor >= 10)) {
      return { subjects: types.map((type) => this.eventSubject(type)) };
    }
    return { subject: this.eventSubject('>') };
  }

  /** Pulls and handles events until the bus closes, starting again after a failure. */
  private async run(subscription: Subscription): Promise<void> {
    const { stream } = this.settings;
    let fresh = true;
    while (!this.stopping.signal.aborted) {
      try {
        // After a failure the consumer may have been deleted by an operator: recreate it.
        if (!fresh) await this.ensureConsumer(subscription.consumer, subscription.types);
        fresh = false;
        const consumer = await this.js.consumers.get(stream, subscription.consumer);
        // One at a time, so replicas of a subgraph share events rather than one hoarding them.
        const messages = await consumer.consume({ max_messages: 1 });
        subscription.messages = messages;
        if (this.stopping.signal.aborted) {
          await messages.close();
          return;
        }
        for await (const msg of messages) {
          // Already pulled but not to be handled: give it back at once rather than after ack_wait.
          if (this.stopping.signal.aborted) msg.nak();
          else await this.handle(subscription, msg);
        }
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.log.warn(
          { err: error, consumer: subscription.consumer },
          'event consumer interrupted; starting it again',
        );
      }
      await sleep(this.settings.reconnectWaitMs, undefined, { signal: this.stopping.signal }).catch(
        () => undefined,
      );
    }
  }

  /** Handles one delivery; never throws, so one bad event cannot stop the consumer. */
  private async handle(subscription: Subscription, msg: JsMsg): Promise<void> {
    const { consumer, types, handler } = subscription;
    const tries = msg.info.deliveryCount;
    let event: HubEvent;
    try {
      event = eventSchema.parse(msg.json());
    } catch (error) {
      await this.park(consumer, msg, null, tries, error);
      return;
    }
    if (types !== '*' && !types.includes(event.type)) {
      msg.ack();
      return;
    }
    if (tries > this.settings.maxDeliver) {
      const error = new Error(
        `no handler finished in ${this.settings.maxDeliver} tries (the process stopped or parking failed)`,
      );
      await this.park(consumer, msg, event, tries, error);
      return;
    }
    // A slow handler is not a lost one: keep JetStream from handing the event to a replica.
    const keepAlive = setInterval(() => msg.working(), Math.max(100, this.settings.ackWaitMs / 2));
    try {
      await handler(event);
    } catch (error) {
      clearInterval(keepAlive);
      if (tries >= this.settings.maxDeliver) {
        await this.park(consumer, msg, event, tries, error);
        return;
      }
      const delay = Math.min(
        this.settings.retryDelayMs * 2 ** (tries - 1),
        this.settings.maxRetryDelayMs,
      );
      this.log.warn(
        { err: error, consumer, eventType: event.type, eventId: event.id, tries, retryInMs: delay },
        'event handler failed; the event will be delivered again',
      );
      msg.nak(delay);
      return;
    } finally {
      clearInterval(keepAlive);
    }
    msg.ack();
  }

  /**
   * Moves an event its consumer cannot apply to the parked stream (where an operator can read
   * and replay it), then stops its delivery. If parking fails the event stays and comes again.
   */
  private async park(
    consumer: string,
    msg: JsMsg,
    event: HubEvent | null,
    tries: number,
    lastError: unknown,
  ): Promise<void> {
    const { subjectPrefix, parkedStream, publishTimeoutMs, maxRetryDelayMs } = this.settings;
    const subject = `${subjectPrefix}.parked.${consumer}`;
    const eventType = event?.type ?? '(unreadable)';
    const eventId = event?.id ?? `stream sequence ${msg.seq}`;
    const h = headers();
    h.set('Hub-Consumer', consumer);
    h.set('Hub-Event-Type', eventType);
    h.set('Hub-Deliveries', String(tries));
    h.set('Hub-Stream-Sequence', String(msg.seq));
    try {
      await this.js.publish(subject, msg.data, {
        // Parking twice (the term was lost) keeps one copy.
        msgID: `${consumer}-${event?.id ?? msg.seq}`,
        headers: h,
        timeout: publishTimeoutMs,
        expect: { streamName: parkedStream },
      });
    } catch (error) {
      this.log.warn(
        { err: error, consumer, eventType, eventId },
        'could not park an event that keeps failing; it will be delivered again',
      );
      msg.nak(maxRetryDelayMs);
      return;
    }
    msg.term();
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    this.log.error(
      { consumer, eventType, eventId, tries, parkedOn: subject, err: lastError },
      `event parked: consumer ${consumer} could not apply ${eventType} ${eventId} after ${tries} tries; last error: ${reason}`,
    );
  }

  /** Says when the connection drops and comes back; the client reconnects by itself. */
  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.log.warn({ server: status.server }, 'NATS connection lost; reconnecting');
      } else if (status.type === 'reconnect') {
        this.log.info({ server: status.server }, 'NATS connection restored');
      } else if (status.type === 'error') {
        this.log.warn({ err: status.error }, 'NATS connection error');
      }
    }
  }
}

/** JetStream's "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

function assertToken(what: string, value: string): void {
  if (!TOKEN.test(value)) {
    throw new Error(`${what} "${value}" must be letters, digits, "-" or "_" (it names a subject)`);
  }
}

/** Whether `promise` settled (either way) within `ms`; it is left running regardless. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    const settled = promise.then(
      () => true,
      () => true,
    );
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
