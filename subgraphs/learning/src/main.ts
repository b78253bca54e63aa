/**
 * Production entry: runs the learning subgraph as its own process, configured from the
 * environment (.env.example). The embedded default (`npm start`) starts it in-process instead.
 */
import 'reflect-metadata';
import { runSubgraphProcess } from '@hub/kit';
import { loadLearningConfig } from './config.js';
import { learningSubgraph } from './index.js';

await runSubgraphProcess(learningSubgraph, () => {
  const config = loadLearningConfig();
  return {
    ...config,
    port: config.LEARNING_PORT,
    host: config.LEARNING_HOST,
    ownDatabaseUrl: config.LEARNING_DATABASE_URL,
  };
});
