import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { inSavepoint } from '../db.js';

/**
 * The events of one relay batch that one consumer applies in one transaction (the in-process
 * bus, for a subscription made with `{ batched: true }`). Each event is applied in a savepoint of
 * that transaction, so a failing event rolls back only itself; the transaction commits when the
 * consumer has had every event of the batch, before the relay marks any of them published. A
 * commit a batch, not one an event: each SQLite commit waits for the disk (docs/decisions.md,
 * "Performance").
 */
export class ConsumerBatch {
  /** The open transaction on each database this batch's consumer has written. */
  private readonly open = new Map<MikroORM, EntityManager>();
  private finished = false;

  constructor(readonly consumer: string) {}

  /** Whether `consumeOnce(orm, consumer, …)` joins this batch rather than committing alone. */
  joins(consumer: string): boolean {
    return !this.finished && consumer === this.consumer;
  }

  /** Runs `work` in a savepoint of the batch's transaction on `orm`, opened at first use. */
  async inTransaction<T>(orm: MikroORM, work: (em: EntityManager) => Promise<T>): Promise<T> {
    let em = this.open.get(orm);
    if (!em) {
      em = orm.em.fork();
      await em.begin();
      this.open.set(orm, em);
    }
    return inSavepoint(em, CONSUME_SAVEPOINT, work);
  }

  /** Commits what the batch applied. After it, `consumeOnce` runs alone again. */
  async commit(): Promise<void> {
    this.finished = true;
    for (const em of this.open.values()) await em.commit();
  }

  /** Rolls back what the batch applied (a commit failed: what it had applied is gone). */
  async rollback(): Promise<void> {
    this.finished = true;
    for (const em of this.open.values()) await em.rollback().catch(() => undefined);
  }
}

const CONSUME_SAVEPOINT = 'consume_event';

const current = new AsyncLocalStorage<ConsumerBatch>();

/** The batch `consumeOnce` for `consumer` joins here, if any. */
export function consumerBatchFor(consumer: string): ConsumerBatch | null {
  const batch = current.getStore();
  return batch?.joins(consumer) ? batch : null;
}

/**
 * Runs `deliver` (which hands a relay batch's events to `consumer`'s handler one after another)
 * with one transaction per database for `consumer`'s `consumeOnce` calls, then commits it.
 * Resolves with `deliver`'s count of events handled; when a handler failed, the events before it
 * are committed and the failure is answered beside that count. When the commit fails, nothing of
 * the batch was applied: the count is 0.
 */
export async function inConsumerBatch(
  consumer: string,
  deliver: () => Promise<{ handled: number; error?: unknown }>,
): Promise<{ handled: number; error?: unknown }> {
  const batch = new ConsumerBatch(consumer);
  let delivered: { handled: number; error?: unknown };
  try {
    delivered = await current.run(batch, deliver);
  } catch (error) {
    await batch.rollback();
    throw error;
  }
  try {
    await batch.commit();
  } catch (error) {
    await batch.rollback();
    return { handled: 0, error };
  }
  return delivered;
}
