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
  await services.bus.subscribe(STATS_CONSUMER, [...STATS_EVENT_TYPES], async (event) => {
    await consumeOnce(services.db.orm, STATS_CONSUMER, event, async (em) => {
      await applyStatsEvent(em, await statsKeyer(em), event);
    });
  });
}
