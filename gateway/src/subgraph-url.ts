/** The subgraph names the supergraph uses, and the gateway's settings key them by. */
export const SUBGRAPH_NAMES = ['cases', 'escalations', 'panels', 'learning'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Where each subgraph's GraphQL endpoint is (`http://host:port/graphql`). */
export type SubgraphUrls = Record<SubgraphName, string>;

/**
 * A subgraph's own routes (`/readyz`, `/internal/...`) sit beside its `/graphql`, so the base is
 * the GraphQL URL without that last segment.
 */
export function subgraphBaseUrl(graphqlUrl: string): string {
  return graphqlUrl.replace(/\/+$/, '').replace(/\/graphql$/, '');
}
