/**
 * Production entry: runs the escalations subgraph as its own process, configured from the
 * environment (.env.example). The embedded default (`npm start`) starts it in-process instead.
 */
import 'reflect-metadata';
import { runSubgraphProcess } from '@hub/kit';
import { loadEscalationsConfig } from './config.js';
import { escalationsSubgraph } from './index.js';

const config = loadEscalationsConfig();
await runSubgraphProcess(
  escalationsSubgraph({ overdueIntervalMs: config.HUB_OVERDUE_INTERVAL_MS }),
  () => ({
    ...config,
    port: config.ESCALATIONS_PORT,
    host: config.ESCALATIONS_HOST,
    ownDatabaseUrl: config.ESCALATIONS_DATABASE_URL,
    peers: { cases: config.CASES_INTERNAL_URL },
  }),
);
