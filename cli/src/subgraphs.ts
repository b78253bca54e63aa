import type { HubContext, SubgraphDefinition } from '@hub/kit';
import { casesSubgraph } from '@hub/cases';
import { escalationsSubgraph } from '@hub/escalations';
import { createLearningSubgraph } from '@hub/learning';
import { panelsSubgraph } from '@hub/panels';

/**
 * The four subgraphs, in the order they start and compose (cases first: the others ask it for
 * facts).
 */
export function subgraphDefinitions(
  options: { overdueIntervalMs?: number; statsCacheRows?: number } = {},
): SubgraphDefinition<HubContext>[] {
  return [
    casesSubgraph,
    escalationsSubgraph(options),
    panelsSubgraph,
    createLearningSubgraph({ statsCacheRows: options.statsCacheRows }),
  ] as unknown as SubgraphDefinition<HubContext>[];
}

export type SubgraphName = 'cases' | 'escalations' | 'panels' | 'learning';

/** Default ports (api/README.md). */
export const DEFAULT_PORTS: Record<SubgraphName, number> = {
  cases: 4001,
  escalations: 4002,
  panels: 4003,
  learning: 4004,
};
