import { startGateway, type TokenVerifier, type TrustProxy } from '@hub/gateway';
import {
  baseUrlOf,
  closeInTurn,
  createBus,
  secretKey,
  startSubgraph,
  type DatabaseTarget,
  type Logger,
  type SubgraphHandle,
} from '@hub/kit';
import { subgraphDefinitions, type SubgraphName } from './subgraphs.js';

export interface HubOptions {
  /** Where each subgraph keeps its tables. */
  targets: Record<SubgraphName, DatabaseTarget>;
  /** Ports (0 = any free port). */
  ports: Record<SubgraphName | 'gateway', number>;
  host?: string;
  internalSecret: string;
  verifier: TokenVerifier;
  supergraphSdl: string;
  log: Logger;
  bodyLimit: string;
  maxDepth: number;
  maxCost: number;
  /** `memory` in the embedded default. */
  bus?: string;
  /** Names the hub's NATS subjects and streams (HUB_BUS_PREFIX). @default 'hub' */
  busPrefix?: string;
  relayIntervalMs?: number;
  overdueIntervalMs?: number;
  /** Statistics rows the learning subgraph keeps (LEARNING_STATS_CACHE_ROWS). */
  statsCacheRows?: number;
  /** The hub's clock (tests move it). */
  clock?: () => Date;
  /** How long each server gives requests in flight to finish on close. */
  drainMs?: number;
  /** Proxies whose X-Forwarded-For the gateway believes (HUB_TRUST_PROXY). @default false */
  trustProxy?: TrustProxy;
  /** Largest body `POST /ingest/{plugin}` reads (HUB_INGEST_MAX_BYTES). @default 256 MiB */
  ingestMaxBytes?: number;
  /**
   * What the caller still does once startHub has returned before clients should use the hub
   * (e.g. `demo data`): the gateway's /readyz answers 503 `{ status: 'starting', waitingFor }`
   * until `markReady()`. @default nothing: ready as soon as every subgraph is
   */
  waitFor?: string;
}

export interface RunningHub {
  /** The gateway's GraphQL URL. */
  url: string;
  gatewayPort: number;
  subgraphs: Record<SubgraphName, SubgraphHandle>;
  /** Ends the wait that `waitFor` named: /readyz answers as the subgraphs are from now on. */
  markReady(): void;
  /** Gateway first (no new client requests), then each subgraph drains, flushes and closes. */
  close(): Promise<void>;
}

/** Starts the four subgraphs and the gateway in this process: the embedded default, and the tests' hub. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const actorKey = secretKey(options.internalSecret);
  let waitingFor = options.waitFor ?? null;
  const bus = await createBus(options.bus ?? 'memory', options.log, options.busPrefix);
  const started: SubgraphHandle[] = [];
  // Each subgraph's base URL, added as it starts: cases first (the others ask it for facts), so a
  // subgraph knows those started before it at once and later ones by the time they send events.
  const peers: Record<string, string> = {};
  try {
    for (const definition of subgraphDefinitions({
      overdueIntervalMs: options.overdueIntervalMs,
      statsCacheRows: options.statsCacheRows,
    })) {
      const name = definition.name as SubgraphName;
      const handle = await startSubgraph(definition, {
        target: options.targets[name],
        actorKey,
        bus,
        log: options.log,
        port: options.ports[name],
        host: options.host,
        bodyLimit: options.bodyLimit,
        relayIntervalMs: options.relayIntervalMs,
        drainMs: options.drainMs,
        peers,
        clock: options.clock,
      });
      started.push(handle);
      peers[name] = baseUrlOf(handle.url);
    }
    const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<
      SubgraphName,
      SubgraphHandle
    >;
    const gateway = await startGateway({
      supergraphSdl: options.supergraphSdl,
      subgraphUrls: {
        cases: subgraphs.cases.url,
        escalations: subgraphs.escalations.url,
        panels: subgraphs.panels.url,
        learning: subgraphs.learning.url,
      },
      actorKey,
      verifier: options.verifier,
      // `service`, not `component`: the hub's logger names its component already, and a child's
      // binding of the same key would repeat it on every line rather than replace it.
      log: options.log.child({ service: 'gateway' }),
      port: options.ports.gateway,
      host: options.host,
      bodyLimit: options.bodyLimit,
      maxDepth: options.maxDepth,
      maxCost: options.maxCost,
      drainMs: options.drainMs,
      trustProxy: options.trustProxy,
      ingestMaxBytes: options.ingestMaxBytes,
      waitingFor: () => waitingFor,
    });
    return {
      url: gateway.url,
      gatewayPort: gateway.port,
      subgraphs,
      markReady() {
        if (waitingFor === null) return;
        options.log.info({ waitedFor: waitingFor }, 'hub ready');
        waitingFor = null;
      },
      close: () =>
        closeInTurn('hub', [
          ['closing the gateway', () => gateway.close()],
          ...started.map((s) => [`quiescing the ${s.name} subgraph`, () => s.quiesce()] as const),
          // Every database is still open: events in flight reach all their consumers.
          ['delivering the events in the outboxes', () => drainAll(started)],
          ...[...started]
            .reverse()
            .map((s) => [`closing the ${s.name} subgraph`, () => s.close()] as const),
          ['closing the bus', () => bus.close()],
        ]),
    };
  } catch (error) {
    for (const subgraph of started.reverse()) await subgraph.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Publishes every subgraph's pending events until none is left (a consumer's change may write
 * events of its own), in a bounded number of rounds.
 */
async function drainAll(subgraphs: readonly SubgraphHandle[]): Promise<void> {
  for (let round = 0; round < 10; round += 1) {
    let published = 0;
    for (const subgraph of subgraphs) published += await subgraph.relay.drain();
    if (published === 0) return;
  }
}
