import type { Actor, RequestMeta } from '../actor.js';
import type { HubDatabase } from '../db.js';
import type { AuditAppend, AuditEvent } from './audit.js';
import { appendAuditEntriesDirect } from './audit-direct.js';

/** Most entries one transaction appends; a larger queue takes several. */
const MAX_BATCH = 500;

interface Waiting extends AuditAppend {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Appends the audit entries of reads (which have no transaction of their own to join) with group
 * commit: the entries appended in one turn of the event loop go in one transaction, written at
 * the end of that turn (`setImmediate`); entries that arrive while a transaction is writing wait
 * for it and then go together in the next one, in the order they arrived. Every caller's
 * promise settles only when its own entry has committed, so a read is answered only once it is
 * audited, as with one transaction per entry, and nothing is held in memory past a commit. Under
 * load this turns the chain's one-writer-at-a-time (its lock and the read of its head) from a
 * cost per request into a cost per batch.
 *
 * A failed batch of several is retried entry by entry, so one entry the database refuses fails
 * only its own request. Batches are written on a pool connection without the ORM
 * (`appendAuditEntriesDirect`): the same rows, a tenth of the CPU.
 */
export class AuditWriter {
  private queue: Waiting[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly db: HubDatabase) {}

  append(actor: Actor, meta: RequestMeta, event: AuditEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ actor, meta, event, at: new Date(), resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Settles when every entry appended so far has been written (or refused). */
  async flushed(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      // Wait for the rest of this turn of the event loop: the other requests it is serving
      // reach their own entries, which then go in the same transaction as this one.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await appendAuditEntriesDirect(this.db, batch);
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          for (const waiting of batch) {
            await appendAuditEntriesDirect(this.db, [waiting]).then(
              waiting.resolve,
              waiting.reject,
            );
          }
        }
      }
    } finally {
      this.draining = null;
    }
  }
}
