import { inConsumerBatch } from './consumer-batch.js';

/** A domain event as it travels on the bus. Payloads carry ids and codes, never free text. */
export interface HubEvent {
  /** UUID; consumers deduplicate by it. */
  id: string;
  /** e.g. `CaseCreated`, `EscalationRaised`. */
  type: string;
  /** The subgraph that owns the change. */
  source: string;
  aggregateId: string;
  /** ISO-8601 instant. */
  occurredAt: string;
  payload: Record<string, unknown>;
}

export type EventHandler = (event: HubEvent) => Promise<void>;

export interface SubscribeOptions {
  /**
   * The handler writes only its own subgraph's database, through `consumeOnce`, and calls no other
   * service. The in-process bus then applies a relay batch's events for this consumer in one
   * transaction, committed once (an open SQLite transaction holds the subgraph's only
   * connection, so a handler that waited on another service could wait on itself). JetStream
   * delivers event by event either way.
   */
  batched?: boolean;
}

/** What `publishBatch` did: how many of the events, in order, every consumer has taken. */
export interface PublishedBatch {
  taken: number;
  /** Why the event after those was not taken (a consumer failed, the bus refused). */
  error?: unknown;
}

/**
 * Where the outbox relay publishes and consumers subscribe. Delivery is at least once, so
 * handlers apply events with `consumeOnce`. A handler that throws gets the event again: on the
 * in-process bus its publish fails and the event stays in the outbox; on JetStream the event is
 * redelivered, and parked after a bounded number of tries.
 */
export interface EventBus {
  publish(event: HubEvent): Promise<void>;
  /** Publishes events in order, stopping at the first one not taken. */
  publishBatch(events: readonly HubEvent[]): Promise<PublishedBatch>;
  /** Subscribes a named, durable consumer to some event types (or all, with `*`). */
  subscribe(
    consumer: string,
    types: string[] | '*',
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<void>;
  close(): Promise<void>;
}

interface Subscription {
  consumer: string;
  types: string[] | '*';
  handler: EventHandler;
  batched: boolean;
}

/**
 * The embedded default: subscribers in this process, called in turn. A batch goes to each
 * subscription in turn, all its events in order; a `batched` subscription applies them in one
 * transaction. An event counts as taken when every subscription has handled it (and, if
 * batched, committed it).
 */
export class InProcessBus implements EventBus {
  private readonly subscriptions: Subscription[] = [];

  async publish(event: HubEvent): Promise<void> {
    const { taken, error } = await this.publishBatch([event]);
    if (taken === 0) throw error;
  }

  async publishBatch(events: readonly HubEvent[]): Promise<PublishedBatch> {
    let taken = events.length;
    let failure: unknown;
    for (const subscription of [...this.subscriptions]) {
      // A later subscription need not have events an earlier one failed on: they come again.
      const deliver = () => handleInTurn(subscription, events.slice(0, taken));
      const { handled, error } = subscription.batched
        ? await inConsumerBatch(subscription.consumer, deliver)
        : await deliver();
      if (handled < taken) {
        taken = handled;
        failure = error;
      }
    }
    return taken < events.length ? { taken, error: failure } : { taken };
  }

  async subscribe(
    consumer: string,
    types: string[] | '*',
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): Promise<void> {
    this.subscriptions.push({ consumer, types, handler, batched: options.batched ?? false });
  }

  async close(): Promise<void> {
    this.subscriptions.length = 0;
  }
}

/** Hands `events` to the subscription's handler in order, stopping at the first that fails. */
async function handleInTurn(
  { types, handler }: Subscription,
  events: readonly HubEvent[],
): Promise<{ handled: number; error?: unknown }> {
  for (let index = 0; index < events.length; index += 1) {
    const event = events[index];
    if (types !== '*' && !types.includes(event.type)) continue;
    try {
      await handler(event);
    } catch (error) {
      return { handled: index, error };
    }
  }
  return { handled: events.length };
}
