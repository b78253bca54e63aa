import type { HubContext, SubgraphDefinition } from '@hub/kit';
import { buildEscalationsSchema } from './schema.js';

export { buildEscalationsSchema } from './schema.js';
export { loadEscalationsConfig, type EscalationsConfig } from './config.js';

/**
 * The escalations subgraph: escalation policies, escalations, stages, the written record and agreed outcomes. It starts, migrates its kit tables (outbox, audit log) and
 * takes part in composition; its features arrive with their own issues.
 */
export const escalationsSubgraph: SubgraphDefinition<HubContext> = {
  name: 'escalations',
  entities: [],
  migrations: [],
  buildSchema: buildEscalationsSchema,
  createContext: (base) => base,
};
