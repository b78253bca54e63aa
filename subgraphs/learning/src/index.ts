import type { HubContext, SubgraphDefinition } from '@hub/kit';
import { buildLearningSchema } from './schema.js';

export { buildLearningSchema } from './schema.js';
export { learningEnvSchema, loadLearningConfig, type LearningConfig } from './config.js';

/**
 * The learning subgraph: learning themes, debriefs, protocol amendments and de-identified statistics. It starts, migrates its kit tables (outbox, audit log) and
 * takes part in composition; its features arrive with their own issues.
 */
export const learningSubgraph: SubgraphDefinition<HubContext> = {
  name: 'learning',
  entities: [],
  migrations: [],
  buildSchema: buildLearningSchema,
  createContext: (base) => base,
};
