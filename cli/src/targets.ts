import { databaseTarget, type DatabaseTarget } from '@hub/kit';
import type { CliConfig } from './config.js';
import type { SubgraphName } from './subgraphs.js';

/** Each subgraph's database, from the same settings its own process would read. */
export function subgraphTargets(config: CliConfig): Record<SubgraphName, DatabaseTarget> {
  const settings = (own: string | undefined) => ({
    dataDir: config.hub.HUB_DATA_DIR,
    databaseUrl: config.hub.DATABASE_URL,
    ownDatabaseUrl: own,
  });
  return {
    cases: databaseTarget('cases', settings(config.cases.CASES_DATABASE_URL)),
    escalations: databaseTarget(
      'escalations',
      settings(config.escalations.ESCALATIONS_DATABASE_URL),
    ),
    panels: databaseTarget('panels', settings(config.panels.PANELS_DATABASE_URL)),
    learning: databaseTarget('learning', settings(config.learning.LEARNING_DATABASE_URL)),
  };
}
