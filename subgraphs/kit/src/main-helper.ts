import { secretKey } from './actor.js';
import { ConfigError, type HubEnv } from './config.js';
import { databaseTarget } from './db.js';
import type { HubContext } from './context.js';
import { createLogger } from './log.js';
import { createBus } from './outbox/create-bus.js';
import { closeOnSignals } from './process.js';
import { loadOrCreateInternalSecret } from './secrets.js';
import { startSubgraph, type SubgraphDefinition } from './subgraph.js';

/**
 * Runs one subgraph as its own process (production): settings come from the subgraph's parsed
 * config; SIGTERM closes it gracefully.
 */
export async function runSubgraphProcess<C extends HubContext>(
  definition: SubgraphDefinition<C>,
  load: () => HubEnv & {
    port: number;
    host: string;
    ownDatabaseUrl?: string;
    peers?: Record<string, string>;
  },
): Promise<void> {
  let config: ReturnType<typeof load>;
  try {
    config = load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(`subgraph-${definition.name}`, config.LOG_LEVEL);
  if (config.HUB_BUS === 'memory') {
    // Alone in its process, the in-process bus reaches only this subgraph's own consumers.
    log.warn(
      'HUB_BUS=memory in a separate process: domain events will not reach other subgraphs ' +
        '(e.g. a responding agency is not added to the case). Run the embedded hub, or a shared bus when available.',
    );
  }
  const handle = await startSubgraph(definition, {
    target: databaseTarget(definition.name, {
      dataDir: config.HUB_DATA_DIR,
      databaseUrl: config.DATABASE_URL,
      ownDatabaseUrl: config.ownDatabaseUrl,
    }),
    actorKey: secretKey(
      loadOrCreateInternalSecret(config.HUB_DATA_DIR, config.HUB_INTERNAL_SECRET),
    ),
    bus: createBus(config.HUB_BUS),
    log,
    port: config.port,
    host: config.host,
    bodyLimit: config.HUB_BODY_LIMIT,
    peers: config.peers,
  });
  closeOnSignals(log, () => handle.close());
}
