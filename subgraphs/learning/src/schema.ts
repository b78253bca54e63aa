import { buildFederatedSchema } from '@hub/kit';
import type { GraphQLSchema } from 'graphql';
import { references } from './references.js';
import {
  DebriefResolver,
  EscalationLearningResolver,
  EscalationStatsResolver,
  LearningThemeResolver,
  ProtocolAmendmentResolver,
} from './resolvers/index.js';
import { BoardRef, PractitionerRef } from './types/references.type.js';

/** Builds the learning subgraph's schema (no server, no database). */
export function buildLearningSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      LearningThemeResolver,
      EscalationLearningResolver,
      DebriefResolver,
      ProtocolAmendmentResolver,
      EscalationStatsResolver,
    ],
    orphanedTypes: [BoardRef, PractitionerRef],
    references,
  });
}
