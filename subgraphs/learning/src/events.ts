import { consumeOnce, type SubgraphServices } from '@hub/kit';
import {
  applyStatsEvent,
  STATS_CONSUMER,
  STATS_EVENT_TYPES,
  statsKeyer,
} from './stats/stats.projection.js';

/**
 * The statistics read model follows the escalations', panels' and this subgraph's own events
 * (one durable consumer on NATS). Each event is applied once (`consumeOnce`), in any order. The
 * handler touches nothing but this database, through `consumeOnce`, so the in-process bus may
 * apply a relay batch of events in one transaction (`batched`).
 */
export async function subscribeLearning(services: SubgraphServices): Promise<void> {
  // The key is written once by the migration: read it once, not per event (in the event's own
  // transaction: within a batch, that transaction holds the SQLite file's one connection).
  let keyOf: ReturnType<typeof statsKeyer> | null = null;
  await services.bus.subscribe(
    STATS_CONSUMER,
    [...STATS_EVENT_TYPES],
    async (event) => {
      await consumeOnce(services.db.orm, STATS_CONSUMER, event, async (em) => {
        keyOf ??= statsKeyer(em);
        const key = await keyOf.catch((error: unknown) => {
          keyOf = null;
          throw error;
        });
        await applyStatsEvent(em, key, event);
      });
    },
    { batched: true },
  );
}
