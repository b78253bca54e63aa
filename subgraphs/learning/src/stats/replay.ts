import { ProcessedEvent, type HubEvent } from '@hub/kit';
import type { MikroORM } from '@mikro-orm/core';
import {
  applyStatsEvent,
  bumpEveryStatsVersion,
  STATS_CONSUMER,
  STATS_EVENT_TYPES,
  statsKeyer,
} from './stats.projection.js';

export interface ReplayReport {
  /** Events applied (each once, however often it was given). */
  applied: number;
  /** Escalations in the rebuilt read model. */
  escalations: number;
}

const WANTED = new Set<string>(STATS_EVENT_TYPES);

/**
 * Rebuilds the statistics read model from `events` (every event of the types it is built from,
 * e.g. read back from the subgraphs' outboxes), in one transaction: the old model is kept until
 * the new one commits, so a failed replay changes nothing. Applying is order-independent and
 * once per event id, so the rebuilt model equals the one the live consumer built. Run it with
 * the learning service stopped (or expect to run it again), since events it applies meanwhile
 * may be dropped by the rebuild.
 */
export async function replayLearning(
  orm: MikroORM,
  events: AsyncIterable<HubEvent>,
): Promise<ReplayReport> {
  return orm.em.fork().transactional(async (em) => {
    await bumpEveryStatsVersion(em);
    await em
      .getConnection()
      .execute('delete from stats_escalation', [], 'run', em.getTransactionContext());
    await em.nativeDelete(ProcessedEvent, { consumer: STATS_CONSUMER });
    const keyOf = await statsKeyer(em);
    const seen = new Set<string>();
    let applied = 0;
    for await (const event of events) {
      if (!WANTED.has(event.type) || seen.has(event.id)) continue;
      seen.add(event.id);
      await applyStatsEvent(em, keyOf, event);
      em.persist(
        em.create(ProcessedEvent, {
          consumer: STATS_CONSUMER,
          eventId: event.id,
          processedAt: new Date(),
        }),
      );
      applied += 1;
      // Keep the unit of work small on long replays.
      if (applied % 1000 === 0) {
        await em.flush();
        em.clear();
      }
    }
    await em.flush();
    const rows = await em
      .getConnection()
      .execute<{ n: number | string }[]>(
        'select count(*) as n from stats_escalation',
        [],
        'all',
        em.getTransactionContext(),
      );
    return { applied, escalations: Number(rows[0]?.n ?? 0) };
  });
}
