import type { HubContext, SubgraphDefinition } from '@hub/kit';
import { buildPanelsSchema } from './schema.js';

export { buildPanelsSchema } from './schema.js';
export { loadPanelsConfig, type PanelsConfig } from './config.js';

/**
 * The panels subgraph: resolution panels, their members, representations and decisions. It starts, migrates its kit tables (outbox, audit log) and
 * takes part in composition; its features arrive with their own issues.
 */
export const panelsSubgraph: SubgraphDefinition<HubContext> = {
  name: 'panels',
  entities: [],
  migrations: [],
  buildSchema: buildPanelsSchema,
  createContext: (base) => base,
};
