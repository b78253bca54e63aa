import type { SubgraphDefinition } from '@hub/kit';
import { createContext, type PanelsContext } from './context.js';
import * as entities from './entities/index.js';
import { panelsInternalRoutes } from './internal.js';
import { panelsMigrations } from './migrations/index.js';
import { buildPanelsSchema } from './schema.js';

export { buildPanelsSchema } from './schema.js';
export { panelsEnvSchema, loadPanelsConfig, type PanelsConfig } from './config.js';

/**
 * The panels subgraph: resolution panels convened at an escalation's panel stage, their members,
 * the agencies' representations, and the decision that resolves the escalation (through the
 * PanelDecided event, which the escalations subgraph applies).
 */
export const panelsSubgraph: SubgraphDefinition<PanelsContext> = {
  name: 'panels',
  entities: Object.values(entities),
  migrations: panelsMigrations,
  buildSchema: buildPanelsSchema,
  createContext,
  internal: panelsInternalRoutes,
};
