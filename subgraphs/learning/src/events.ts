import { consumeOnce, type SubgraphServices } from '@hub/kit';
import {
  applyStatsEvent,
  STATS_CONSUMER,
  STATS_EVENT_TYPES,
  statsKeyer,
} from './stats/stats.projection.js';

/**
 * The statistics read model follows the escalations', panels' and this subgraph's own events
 * (one durable consumer on NATS). Each event is applied once (`consumeOnce`), in any order.
 */
export async function subscribeLearning(services: SubgraphServices): Promise<void> {
  // The key is written once by the migration: read it once, not per event.
  let keyOf: ReturnType<typeof statsKeyer> | null = null;
  await services.bus.subscribe(STATS_CONSUMER, [...STATS_EVENT_TYPES], async (event) => {
    keyOf ??= statsKeyer(services.db.orm.em.fork());
    const key = await keyOf.catch((error: unknown) => {
      keyOf = null;
      throw error;
    });
    await consumeOnce(services.db.orm, STATS_CONSUMER, event, (em) =>
      applyStatsEvent(em, key, event),
    );
  });
}
