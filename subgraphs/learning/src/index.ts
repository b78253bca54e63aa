import type { SubgraphDefinition } from '@hub/kit';
import { createContext, type LearningContext, type LearningOptions } from './context.js';
import * as entities from './entities/index.js';
import { subscribeLearning } from './events.js';
import { learningMigrations } from './migrations/index.js';
import { buildLearningSchema } from './schema.js';

export { buildLearningSchema } from './schema.js';
export { learningEnvSchema, loadLearningConfig, type LearningConfig } from './config.js';
export { replayLearning, type ReplayReport } from './stats/replay.js';
export type { LearningOptions } from './context.js';
export { SHIPPED_THEMES } from './migrations/themes.js';

/**
 * The learning subgraph: the learning themes, tags on escalations, debriefs, protocol
 * amendments, and de-identified statistics from a read model built from domain events.
 */
export function createLearningSubgraph(
  options: LearningOptions = {},
): SubgraphDefinition<LearningContext> {
  return {
    name: 'learning',
    entities: Object.values(entities),
    migrations: learningMigrations,
    buildSchema: buildLearningSchema,
    createContext: (base, services) => createContext(base, services, options),
    subscribe: subscribeLearning,
  };
}

/** The learning subgraph with its defaults. */
export const learningSubgraph = createLearningSubgraph();
