import { IngestLedgerEntry, type SubgraphDefinition } from '@hub/kit';
import { createContext, type EscalationsContext } from './context.js';
import * as entities from './entities/index.js';
import { subscribeEscalations } from './events.js';
import { escalationsIngestRoutes } from './ingest/escalations-ingest.routes.js';
import { escalationsInternalRoutes } from './internal.js';
import { escalationsMigrations } from './migrations/index.js';
import { startOverdueScheduler } from './scheduler/overdue.scheduler.js';
import { buildEscalationsSchema } from './schema.js';

export { buildEscalationsSchema } from './schema.js';
export { escalationsEnvSchema, loadEscalationsConfig, type EscalationsConfig } from './config.js';
export { emitOverdueStages } from './scheduler/overdue.scheduler.js';
export * from './calendar/working-days.js';
// The dataset generator (bench/) writes what the hub writes, with the hub's own policy and texts.
export { DEFAULT_PANEL_AGENCY_COUNT, DEFAULT_STAGES } from './policy/default-policy.js';
export { consultationText } from './record-text.js';
export { panelOutcomeText } from './panel-decision.js';

/**
 * The escalations subgraph: board policies, escalations and their stages on working-day
 * timescales, the written record, agreed outcomes and their confirmation.
 */
export function escalationsSubgraph(
  options: { overdueIntervalMs?: number } = {},
): SubgraphDefinition<EscalationsContext> {
  return {
    name: 'escalations',
    entities: [...Object.values(entities), IngestLedgerEntry],
    migrations: escalationsMigrations,
    buildSchema: buildEscalationsSchema,
    createContext,
    internal: (router, db, services) => {
      escalationsInternalRoutes(router, db);
      escalationsIngestRoutes(router, db, services);
    },
    subscribe: subscribeEscalations,
    background: (services) => startOverdueScheduler(services, options.overdueIntervalMs ?? 60_000),
  };
}
