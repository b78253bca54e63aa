import type { SubgraphDefinition } from '@hub/kit';
import { createContext, type LearningContext } from './context.js';
import * as entities from './entities/index.js';
import { subscribeLearning } from './events.js';
import { learningMigrations } from './migrations/index.js';
import { buildLearningSchema } from './schema.js';

export { buildLearningSchema } from './schema.js';
export { learningEnvSchema, loadLearningConfig, type LearningConfig } from './config.js';
export { replayLearning, type ReplayReport } from './stats/replay.js';
export { SHIPPED_THEMES } from './migrations/themes.js';

/**
 * The learning subgraph: the learning themes, tags on escalations, debriefs, protocol
 * amendments, and de-identified statistics from a read model built from domain events.
 */
export const learningSubgraph: SubgraphDefinition<LearningContext> = {
  name: 'learning',
  entities: Object.values(entities),
  migrations: learningMigrations,
  buildSchema: buildLearningSchema,
  createContext,
  subscribe: subscribeLearning,
};
