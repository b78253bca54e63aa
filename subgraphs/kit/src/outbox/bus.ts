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

/**
 * Where the outbox relay publishes and consumers subscribe. Delivery is at least once, so
 * handlers apply events with `consumeOnce`. A handler that throws gets the event again: on the
 * in-process bus its publish fails and the event stays in the outbox; on JetStream the event is
 * redelivered, and parked after a bounded number of tries.
 */
export interface EventBus {
  publish(event: HubEvent): Promise<void>;
  /** Subscribes a named, durable consumer to some event types (or all, with `*`). */
  subscribe(consumer: string, types: string[] | '*', handler: EventHandler): Promise<void>;
  close(): Promise<void>;
}

/** The embedded default: subscribers in this process, called in turn. */
export class InProcessBus implements EventBus {
  private readonly subscriptions: {
    consumer: string;
    types: string[] | '*';
    handler: EventHandler;
  }[] = [];

  async publish(event: HubEvent): Promise<void> {
    for (const { types, handler } of this.subscriptions) {
      if (types === '*' || types.includes(event.type)) await handler(event);
    }
  }

  async subscribe(consumer: string, types: string[] | '*', handler: EventHandler): Promise<void> {
    this.subscriptions.push({ consumer, types, handler });
  }

  async close(): Promise<void> {
    this.subscriptions.length = 0;
  }
}
