import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { insertRows } from '../insert-rows.js';
import { selectRows } from '../loaders.js';
import type { Logger } from '../log.js';
import type { EventBus, HubEvent } from './bus.js';
import { consumerBatchFor } from './consumer-batch.js';
import { OutboxEvent } from './outbox-event.entity.js';
import { ProcessedEvent } from './processed-event.entity.js';

/**
 * Writes a domain event to the outbox in the caller's transaction, so it commits (or rolls back)
 * with the change it describes; refuses outside a transaction. One row written at once, not an
 * entity for the unit of work: the ORM's flush cost three times the statement, once for nearly
 * every change (docs/decisions.md, "Performance"). Answers the event's id.
 */
export async function recordEvent(
  em: EntityManager,
  type: string,
  aggregateId: string,
  payload: Record<string, unknown>,
): Promise<string> {
  if (!em.isInTransaction()) {
    throw new Error(
      `recordEvent(${type}) outside a transaction: an event is written with its change, in one`,
    );
  }
  const id = randomUUID();
  await insertRows(em, OutboxEvent, [
    {
      id,
      type,
      aggregateId,
      payload,
      occurredAt: new Date(),
      publishedAt: null,
      attempts: 0,
    },
  ]);
  return id;
}

/**
 * Publishes outbox events in order. Runs on a timer and when nudged after a change; `drain()`
 * publishes everything pending (used at shutdown). An event stays in the outbox until the bus
 * has taken it, so nothing is lost while the bus or a consumer is down.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: EventBus,
    private readonly source: string,
    private readonly log: Logger,
    private readonly batchSize = 100,
  ) {}

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  /** Publishes soon, without waiting. */
  nudge(): void {
    void this.drain().catch((error: unknown) =>
      this.log.warn({ err: error }, 'outbox relay failed; will retry'),
    );
  }

  /** Publishes every pending event; resolves with how many were published. */
  drain(): Promise<number> {
    // One drain at a time keeps events in order.
    this.running ??= this.publishPending().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * Stops the timer and publishes what is pending. Fails when that cannot be done (the bus or the
   * database unreachable): the events stay in the outbox for the next start, and the caller says so.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    try {
      await this.drain();
    } catch (error) {
      throw new Error(
        `the outbox was not flushed (${error instanceof Error ? error.message : String(error)}); ` +
          'its events stay in it and are published after the next start',
        { cause: error },
      );
    }
  }

  private async publishPending(): Promise<number> {
    let published = 0;
    for (;;) {
      const em = this.orm.em.fork();
      const pending = await em.find(
        OutboxEvent,
        { publishedAt: null },
        { orderBy: { seq: 'asc' }, limit: this.batchSize },
      );
      if (pending.length === 0) return published;
      const events = pending.map((row): HubEvent => ({
        id: row.id,
        type: row.type,
        source: this.source,
        aggregateId: row.aggregateId,
        occurredAt: row.occurredAt.toISOString(),
        payload: row.payload,
      }));
      const { taken: count, error } = await this.bus.publishBatch(events);
      const taken = pending.slice(0, count).map((row) => row.seq);
      const refused = count < pending.length ? { error } : null;
      if (refused) pending[count].attempts += 1;
      // What the bus took is marked in one statement (one commit, not one per event). A stop
      // before it only publishes those events again, and consumers apply each event once.
      if (taken.length) {
        await em.nativeUpdate(OutboxEvent, { seq: { $in: taken } }, { publishedAt: new Date() });
        published += taken.length;
      }
      if (refused) {
        await em.flush();
        throw refused.error;
      }
    }
  }
}

/**
 * Applies an event at most once for a consumer: the marker and the consumer's changes commit
 * together, so a redelivered event is skipped. Resolves false when it was already applied.
 * Within a consumer batch (`inConsumerBatch`) they commit with the batch, before the relay marks
 * the event published.
 */
export async function consumeOnce(
  orm: MikroORM,
  consumer: string,
  event: HubEvent,
  apply: (em: EntityManager) => Promise<void>,
): Promise<boolean> {
  const work = async (em: EntityManager) => {
    // A row, not an entity: an ORM query cost five times the statement, once per event.
    const seen = await selectRows(
      em,
      'select 1 as seen from processed_event where consumer = ? and event_id = ?',
      [consumer, event.id],
    );
    if (seen.length > 0) return false;
    await insertRows(em, ProcessedEvent, [
      { consumer, eventId: event.id, processedAt: new Date() },
    ]);
    await apply(em);
    return true;
  };
  // Delivered in a batch (the in-process bus, a `batched` subscription): the batch's transaction,
  // committed after its last event; otherwise a transaction of its own.
  const batch = consumerBatchFor(consumer);
  return batch ? batch.inTransaction(orm, work) : orm.em.fork().transactional(work);
}
