import { casesSubgraph, loadCasesConfig } from '@hub/cases';
import { escalationsSubgraph, loadEscalationsConfig } from '@hub/escalations';
import { loadGatewayConfig, runGatewayProcess } from '@hub/gateway';
import { runSubgraphProcess } from '@hub/kit';
import { createLearningSubgraph, loadLearningConfig } from '@hub/learning';
import { loadPanelsConfig, panelsSubgraph } from '@hub/panels';
import { SERVICE_NAMES, type ServiceName } from '../serve/services.js';

const USAGE = `usage: hub serve <${SERVICE_NAMES.join('|')}>`;

/**
 * `hub serve <name>`: one service in this process, configured by environment only (production:
 * one process per service, PostgreSQL, NATS). Each reads only its own configuration, so a
 * service reports the problems of its own variables and no other's.
 */
export async function serveCommand(
  args: string[],
  /** The environment to read; each service's config loader reads the process's by default. */
  env?: Record<string, string | undefined>,
): Promise<number> {
  const name = args[0] as ServiceName;
  if (args.length !== 1 || !SERVICE_NAMES.includes(name)) {
    console.error(USAGE);
    return 2;
  }
  switch (name) {
    case 'gateway':
      await runGatewayProcess(loadGatewayConfig(env));
      break;
    case 'cases': {
      const config = loadCasesConfig(env);
      await runSubgraphProcess(casesSubgraph, {
        ...config,
        port: config.CASES_PORT,
        host: config.CASES_HOST,
        ownDatabaseUrl: config.CASES_DATABASE_URL,
      });
      break;
    }
    case 'escalations': {
      const config = loadEscalationsConfig(env);
      await runSubgraphProcess(
        escalationsSubgraph({ overdueIntervalMs: config.HUB_OVERDUE_INTERVAL_MS }),
        {
          ...config,
          port: config.ESCALATIONS_PORT,
          host: config.ESCALATIONS_HOST,
          ownDatabaseUrl: config.ESCALATIONS_DATABASE_URL,
          peers: { cases: config.CASES_INTERNAL_URL, panels: config.PANELS_INTERNAL_URL },
        },
      );
      break;
    }
    case 'panels': {
      const config = loadPanelsConfig(env);
      await runSubgraphProcess(panelsSubgraph, {
        ...config,
        port: config.PANELS_PORT,
        host: config.PANELS_HOST,
        ownDatabaseUrl: config.PANELS_DATABASE_URL,
        peers: { cases: config.CASES_INTERNAL_URL, escalations: config.ESCALATIONS_INTERNAL_URL },
      });
      break;
    }
    case 'learning': {
      const config = loadLearningConfig(env);
      const learning = createLearningSubgraph({
        statsCacheRows: config.LEARNING_STATS_CACHE_ROWS,
      });
      await runSubgraphProcess(learning, {
        ...config,
        port: config.LEARNING_PORT,
        host: config.LEARNING_HOST,
        ownDatabaseUrl: config.LEARNING_DATABASE_URL,
        peers: { cases: config.CASES_INTERNAL_URL, escalations: config.ESCALATIONS_INTERNAL_URL },
      });
      break;
    }
  }
  return -1; // keep running until a signal
}
