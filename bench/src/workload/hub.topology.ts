import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES, serveCommand, type ServiceName } from '@hub/cli';
import { loadEmbeddedKey, loadOrCreateEmbeddedKey, type EmbeddedKey } from '@hub/gateway';
import { loadOrCreateInternalSecret } from '@hub/kit';
import type { SubgraphName } from '../dataset/tables.js';
import {
  cleanEnvironment,
  freePort,
  ROOT,
  startService,
  waitUntilReady,
  type ServiceProcess,
} from './service.process.js';

export type TopologyName = 'embedded' | 'five';

/** Where the hub's data is: a dataset's SQLite directory, or a PostgreSQL database. */
export type DataSource = { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string };

/** The hub running for a benchmark. */
/**
 * Why `bench <command>` cannot run on `data`: a SQLite directory that holds no dataset (no
 * cases.sqlite). Null when it can (PostgreSQL is checked when the hub connects).
 */
export function missingDataset(command: string, data: DataSource): string | null {
  if (data.kind !== 'sqlite' || existsSync(join(data.dir, 'cases.sqlite'))) return null;
  return `bench ${command}: --dataset-dir ${data.dir} holds no dataset (no cases.sqlite): create one with bench dataset --target sqlite --data-dir`;
}

export interface RunningTopology {
  name: TopologyName;
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  internalSecret: string;
  /** The embedded key that signs the benchmark users' tokens. */
  key: EmbeddedKey;
  /** Every hub process: `hub` for the embedded one; gateway and the four subgraphs for five. */
  processes: ServiceProcess[];
  /** The processes that serve the subgraphs (the embedded hub serves them too). */
  subgraphProcesses: ServiceProcess[];
  /** Where the logs and generated secrets are. */
  workDir: string;
  stop(): Promise<void>;
}

const CLI = 'cli/dist/main.js';

/**
 * The options `npm start` gives `node` before the CLI (package.json's `start` script, e.g. the
 * young generation's size): the benchmark starts the embedded hub as a user does, so that it
 * measures the process they run.
 */
export function startNodeOptions(
  packageJson: string = readFileSync(join(ROOT, 'package.json'), 'utf8'),
): string[] {
  const script = (JSON.parse(packageJson) as { scripts?: { start?: string } }).scripts?.start;
  const words = (script ?? '')
    .split('&&')
    .map((command) => command.trim().split(/\s+/))
    .find((command) => command[0] === 'node' && command.includes(CLI));
  if (!words) {
    throw new Error(`package.json's start script runs no \`node ${CLI}\`: ${script ?? '(none)'}`);
  }
  return words.slice(1, words.indexOf(CLI));
}

const SUBGRAPH_NAMES: SubgraphName[] = ['cases', 'escalations', 'panels', 'learning'];

const graphqlUrl = (port: number) => `http://127.0.0.1:${port}/graphql`;
const readyUrl = (port: number) => `http://127.0.0.1:${port}/readyz`;

/**
 * The embedded hub (`hub start`, one process) on the dataset: HUB_DEMO=0, each part on a port
 * chosen here so that the benchmark can reach the subgraphs directly. On SQLite its data
 * directory is the dataset's (where it keeps its key and internal secret); on PostgreSQL a
 * temporary one holds those.
 */
export async function startEmbedded(data: DataSource): Promise<RunningTopology> {
  const workDir = mkdtempSync(join(tmpdir(), 'hub-workload-'));
  const dataDir = data.kind === 'sqlite' ? data.dir : workDir;
  const ports = {
    gateway: await freePort(),
    cases: await freePort(),
    escalations: await freePort(),
    panels: await freePort(),
    learning: await freePort(),
  };
  const env = cleanEnvironment({
    NODE_ENV: 'production',
    HUB_DEMO: '0',
    HUB_DATA_DIR: dataDir,
    ...(data.kind === 'postgres' ? { DATABASE_URL: data.url } : {}),
    PORT: String(ports.gateway),
    CASES_PORT: String(ports.cases),
    ESCALATIONS_PORT: String(ports.escalations),
    PANELS_PORT: String(ports.panels),
    LEARNING_PORT: String(ports.learning),
  });
  const hub = startService(
    'hub',
    process.execPath,
    [CLI, 'start'],
    env,
    join(workDir, 'hub.log'),
    startNodeOptions(),
  );
  try {
    await waitUntilReady(hub, readyUrl(ports.gateway));
    const key = await loadEmbeddedKey(dataDir);
    if (!key) throw new Error(`the hub created no embedded key under ${dataDir}`);
    return {
      name: 'embedded',
      gatewayUrl: graphqlUrl(ports.gateway),
      subgraphUrls: {
        cases: graphqlUrl(ports.cases),
        escalations: graphqlUrl(ports.escalations),
        panels: graphqlUrl(ports.panels),
        learning: graphqlUrl(ports.learning),
      },
      internalSecret: loadOrCreateInternalSecret(dataDir),
      key,
      processes: [hub],
      subgraphProcesses: [hub],
      workDir,
      stop: () => hub.stop(),
    };
  } catch (error) {
    await hub.stop();
    throw error;
  }
}

/**
 * The five processes of production (`hub serve <name>`, as test/topology.test.ts starts them)
 * on PostgreSQL and NATS JetStream, under a bus prefix of their own. The gateway verifies the
 * benchmark's tokens with an embedded key created in a temporary directory (HUB_DATA_DIR), so
 * no OIDC issuer is needed; the internal secret is passed as a variable.
 */
export async function startFive(databaseUrl: string, natsUrl: string): Promise<RunningTopology> {
  const workDir = mkdtempSync(join(tmpdir(), 'hub-workload-'));
  const key = await loadOrCreateEmbeddedKey(workDir);
  const internalSecret = loadOrCreateInternalSecret(workDir);
  const busPrefix = `bench${randomBytes(4).toString('hex')}`;
  const ports: Record<ServiceName, number> = {
    gateway: await freePort(),
    cases: await freePort(),
    escalations: await freePort(),
    panels: await freePort(),
    learning: await freePort(),
  };
  const base = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  const processes: ServiceProcess[] = [];
  const serve = async (name: ServiceName, settings: Record<string, string>) => {
    const spec = SERVICES[name];
    const env = cleanEnvironment({
      NODE_ENV: 'production',
      [spec.portVariable]: String(ports[name]),
      [spec.hostVariable]: '127.0.0.1',
      HUB_INTERNAL_SECRET: internalSecret,
      ...settings,
    });
    const service = startService(
      name,
      process.execPath,
      [CLI, ...serveCommand(name)],
      env,
      join(workDir, `${name}.log`),
    );
    processes.push(service);
    await waitUntilReady(service, readyUrl(ports[name]));
  };
  const subgraph = { DATABASE_URL: databaseUrl, HUB_BUS: natsUrl, HUB_BUS_PREFIX: busPrefix };
  try {
    await serve('cases', subgraph);
    // Escalations and panels each call the other: both addresses are fixed before either starts.
    await Promise.all([
      serve('escalations', {
        ...subgraph,
        CASES_INTERNAL_URL: base('cases'),
        PANELS_INTERNAL_URL: base('panels'),
      }),
      serve('panels', {
        ...subgraph,
        CASES_INTERNAL_URL: base('cases'),
        ESCALATIONS_INTERNAL_URL: base('escalations'),
      }),
    ]);
    await serve('learning', {
      ...subgraph,
      CASES_INTERNAL_URL: base('cases'),
      ESCALATIONS_INTERNAL_URL: base('escalations'),
    });
    await serve('gateway', {
      HUB_DATA_DIR: workDir,
      CASES_URL: graphqlUrl(ports.cases),
      ESCALATIONS_URL: graphqlUrl(ports.escalations),
      PANELS_URL: graphqlUrl(ports.panels),
      LEARNING_URL: graphqlUrl(ports.learning),
    });
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    throw error;
  }
  const byName = (name: string) => processes.find((p) => p.name === name)!;
  return {
    name: 'five',
    gatewayUrl: graphqlUrl(ports.gateway),
    subgraphUrls: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, graphqlUrl(ports[name])]),
    ) as Record<SubgraphName, string>,
    internalSecret,
    key,
    // The gateway first, then the subgraphs, as the tables list them.
    processes: [byName('gateway'), ...SUBGRAPH_NAMES.map(byName)],
    subgraphProcesses: SUBGRAPH_NAMES.map(byName),
    workDir,
    async stop() {
      await byName('gateway').stop();
      await Promise.all(SUBGRAPH_NAMES.map((name) => byName(name).stop()));
      await deleteStreams(natsUrl, busPrefix);
    },
  };
}

/** Removes the run's JetStream streams, so benchmarks leave nothing behind on a shared server. */
async function deleteStreams(natsUrl: string, busPrefix: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for (const suffix of ['EVENTS', 'PARKED']) {
      await jsm.streams.delete(`${busPrefix.toUpperCase()}_${suffix}`).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}
