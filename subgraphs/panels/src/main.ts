/**
 * Production entry: runs the panels subgraph as its own process, configured from the
 * environment (.env.example). The embedded default (`npm start`) starts it in-process instead.
 */
import 'reflect-metadata';
import { runSubgraphProcess } from '@hub/kit';
import { loadPanelsConfig } from './config.js';
import { panelsSubgraph } from './index.js';

await runSubgraphProcess(panelsSubgraph, () => {
  const config = loadPanelsConfig();
  return {
    ...config,
    port: config.PANELS_PORT,
    host: config.PANELS_HOST,
    ownDatabaseUrl: config.PANELS_DATABASE_URL,
  };
});
