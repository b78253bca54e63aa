/** The variables hive.gateway.ts sets for Hive Gateway's process and its config reads. */
export const HIVE_ENV = {
  subgraphUrls: 'HUB_BENCH_SUBGRAPH_URLS',
  internalSecret: 'HUB_BENCH_INTERNAL_SECRET',
  actors: 'HUB_BENCH_ACTORS',
} as const;
