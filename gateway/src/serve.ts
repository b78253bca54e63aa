import { readFileSync } from 'node:fs';
import {
  closeOnSignals,
  ConfigError,
  createLogger,
  drainGraceMs,
  requireInternalSecret,
  secretKey,
} from '@hub/kit';
import { embeddedKeyFile, loadEmbeddedKey } from './auth/embedded-key.js';
import { createTokenVerifier } from './auth/verify-token.js';
import { oidcSettings, subgraphUrls, type GatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

/**
 * Runs the gateway as its own process (`hub serve gateway`, production): configured by
 * environment only. It verifies tokens with the OIDC issuer, or with an embedded key that already
 * exists under HUB_DATA_DIR; it never creates a key or a secret. SIGTERM or SIGINT stops it
 * within HUB_SHUTDOWN_TIMEOUT_MS.
 */
export async function runGatewayProcess(config: GatewayConfig): Promise<void> {
  const log = createLogger('gateway', config.LOG_LEVEL);
  const actorKey = secretKey(requireInternalSecret(config));
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(config.HUB_SUPERGRAPH_PATH, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  HUB_SUPERGRAPH_PATH: cannot read ${config.HUB_SUPERGRAPH_PATH} ` +
        `(${(error as Error).message}); \`npm run compose\` produces it`,
    );
  }
  const embedded = oidcSettings(config) ? null : await loadEmbeddedKey(config.HUB_DATA_DIR);
  if (!oidcSettings(config) && !embedded) {
    throw new ConfigError(
      'Invalid configuration:\n  OIDC_ISSUER: set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL ' +
        `(no embedded key at ${embeddedKeyFile(config.HUB_DATA_DIR)} either, and a service never creates one)`,
    );
  }
  const verifier = await createTokenVerifier(config, embedded);
  // The handler is in place before the gateway starts: it may be stopped while starting.
  const starting = startGateway({
    supergraphSdl,
    subgraphUrls: subgraphUrls(config),
    actorKey,
    verifier,
    log,
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.HUB_BODY_LIMIT,
    maxDepth: config.HUB_MAX_DEPTH,
    maxCost: config.HUB_MAX_COST,
    ingestMaxBytes: config.HUB_INGEST_MAX_BYTES,
    trustProxy: config.HUB_TRUST_PROXY,
    drainMs: drainGraceMs(config.HUB_SHUTDOWN_TIMEOUT_MS),
  });
  closeOnSignals(
    log,
    async () => {
      const gateway = await starting.catch(() => null);
      await gateway?.close();
    },
    config.HUB_SHUTDOWN_TIMEOUT_MS,
  );
  await starting;
}
