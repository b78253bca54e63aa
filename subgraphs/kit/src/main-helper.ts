import { secretKey } from './actor.js';
import type { HubEnv } from './config.js';
import { databaseTarget } from './db.js';
import type { HubContext } from './context.js';
import { createLogger } from './log.js';
import { createBus } from './outbox/create-bus.js';
import { closeInTurn, closeOnSignals, drainGraceMs } from './process.js';
import { requireInternalSecret } from './secrets.js';
import { startSubgraph, type SubgraphDefinition } from './subgraph.js';

/** Where one subgraph process listens and finds its database and peers, from its parsed config. */
export type SubgraphProcessSettings = HubEnv & {
  port: number;
  host: string;
  ownDatabaseUrl?: string;
  peers?: Record<string, string>;
};

/**
 * Runs one subgraph as its own process (`hub serve <name>`, production): configured by
 * environment only, the internal secret never generated; SIGTERM or SIGINT stops it within
 * HUB_SHUTDOWN_TIMEOUT_MS (closeOnSignals).
 */
export async function runSubgraphProcess<C extends HubContext>(
  definition: SubgraphDefinition<C>,
  config: SubgraphProcessSettings,
): Promise<void> {
  const log = createLogger(`subgraph-${definition.name}`, config.LOG_LEVEL);
  const actorKey = secretKey(requireInternalSecret(config));
  if (config.HUB_BUS === 'memory') {
    // Alone in its process, the in-process bus reaches only this subgraph's own consumers.
    log.warn(
      'HUB_BUS=memory in a separate process: domain events will not reach other subgraphs ' +
        '(e.g. a responding agency is not added to the case). Set HUB_BUS=nats://host:4222.',
    );
  }
  // The handler is in place before anything starts: a service manager may stop a service that
  // is still starting (the bound then covers a start that hangs, e.g. on an unreachable database).
  const starting = startParts();
  closeOnSignals(
    log,
    async () => {
      const parts = await starting.catch(() => null);
      if (!parts) return;
      await closeInTurn(`${definition.name} service`, [
        ['closing the subgraph', () => parts.handle.close()],
        ['closing the bus', () => parts.bus.close()],
      ]);
    },
    config.HUB_SHUTDOWN_TIMEOUT_MS,
  );
  await starting;

  async function startParts() {
    const bus = await createBus(config.HUB_BUS, log, config.HUB_BUS_PREFIX);
    try {
      const handle = await startSubgraph(definition, {
        target: databaseTarget(definition.name, {
          dataDir: config.HUB_DATA_DIR,
          databaseUrl: config.DATABASE_URL,
          ownDatabaseUrl: config.ownDatabaseUrl,
        }),
        actorKey,
        bus,
        log,
        port: config.port,
        host: config.host,
        bodyLimit: config.HUB_BODY_LIMIT,
        drainMs: drainGraceMs(config.HUB_SHUTDOWN_TIMEOUT_MS),
        peers: config.peers,
      });
      return { bus, handle };
    } catch (error) {
      await bus.close().catch(() => undefined);
      throw error;
    }
  }
}
