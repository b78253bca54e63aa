import { buildFederatedSchema, subgraphInfoResolver } from '@hub/kit';
import type { GraphQLSchema } from 'graphql';

/** Builds the escalations subgraph's schema (no server, no database). */
export function buildEscalationsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({ resolvers: [subgraphInfoResolver('escalations', '0.1.0')] });
}
