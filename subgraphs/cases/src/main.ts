/**
 * Production entry: runs the cases subgraph as its own process, configured from the
 * environment (.env.example). The embedded default (`npm start`) starts it in-process instead.
 */
import 'reflect-metadata';
import { runSubgraphProcess } from '@hub/kit';
import { loadCasesConfig } from './config.js';
import { casesSubgraph } from './index.js';

await runSubgraphProcess(casesSubgraph, () => {
  const config = loadCasesConfig();
  return {
    ...config,
    port: config.CASES_PORT,
    host: config.CASES_HOST,
    ownDatabaseUrl: config.CASES_DATABASE_URL,
  };
});
