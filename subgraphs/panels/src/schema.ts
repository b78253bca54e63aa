import { buildFederatedSchema, subgraphInfoResolver } from '@hub/kit';
import type { GraphQLSchema } from 'graphql';

/** Builds the panels subgraph's schema (no server, no database). */
export function buildPanelsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({ resolvers: [subgraphInfoResolver('panels', '0.1.0')] });
}
