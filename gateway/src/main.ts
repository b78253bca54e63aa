/**
 * Production entry: runs the gateway as its own process, configured from the environment
 * (.env.example). The embedded default (`npm start`) starts it in-process instead.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import {
  closeOnSignals,
  ConfigError,
  createLogger,
  loadOrCreateInternalSecret,
  secretKey,
} from '@hub/kit';
import { createTokenVerifier } from './auth/verify-token.js';
import { loadGatewayConfig, subgraphUrls, type GatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

let config: GatewayConfig;
try {
  config = loadGatewayConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const log = createLogger('gateway', config.LOG_LEVEL);
let supergraphSdl: string;
try {
  supergraphSdl = readFileSync(config.HUB_SUPERGRAPH_PATH, 'utf8');
} catch (error) {
  console.error(
    `Cannot read the supergraph at ${config.HUB_SUPERGRAPH_PATH} (HUB_SUPERGRAPH_PATH): ${(error as Error).message}\n` +
      'Run `npm run compose` to produce it.',
  );
  process.exit(1);
}

const gateway = await startGateway({
  supergraphSdl,
  subgraphUrls: subgraphUrls(config),
  actorKey: secretKey(loadOrCreateInternalSecret(config.HUB_DATA_DIR, config.HUB_INTERNAL_SECRET)),
  verifier: await createTokenVerifier(config),
  log,
  port: config.PORT,
  host: config.HOST,
  bodyLimit: config.HUB_BODY_LIMIT,
  maxDepth: config.HUB_MAX_DEPTH,
  maxCost: config.HUB_MAX_COST,
});
closeOnSignals(log, () => gateway.close());
