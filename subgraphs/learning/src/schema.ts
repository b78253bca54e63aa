import { buildFederatedSchema, subgraphInfoResolver } from '@hub/kit';
import type { GraphQLSchema } from 'graphql';

/** Builds the learning subgraph's schema (no server, no database). */
export function buildLearningSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({ resolvers: [subgraphInfoResolver('learning', '0.1.0')] });
}
