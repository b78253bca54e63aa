import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is in bench/src/workload or bench/dist/workload). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A server process the benchmark started, its output in a log file. */
export interface ServiceProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A port free right now (services that must know each other's address before they listen). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * This process's environment without the hub's own settings, so that a variable of the shell
 * the benchmark runs in (DATABASE_URL, PORT, HUB_*) cannot change what the services run on.
 */
export function cleanEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name === 'NODE_ENV' || name.startsWith('VITEST')) continue;
    if (name.startsWith('HUB_') || /^(DATABASE_URL|PORT|HOST|OIDC_|LOG_LEVEL)/.test(name)) continue;
    if (/^[A-Z]+_(DATABASE_URL|PORT|HOST|URL|INTERNAL_URL)$/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Starts `command args` from the repository root, its stdout and stderr into `logFile`;
 * `nodeOptions` go first (what `npm start` gives `node`), then HUB_BENCH_NODE_ARGS, which can
 * override them.
 */
export function startService(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  nodeOptions: string[] = [],
): ServiceProcess {
  const fd = openSync(logFile, 'a');
  // HUB_BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/profiles`) go to every Node process
  // a benchmark starts, to profile what it measures; Node refuses --cpu-prof in NODE_OPTIONS.
  const nodeArgs = (process.env.HUB_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(command, [...nodeOptions, ...nodeArgs, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // One SIGTERM only: a second one makes a hub process exit without finishing its shutdown.
  let stopping: Promise<void> | null = null;
  const stop = async (graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    pid: child.pid,
    child,
    logFile,
    stop(graceMs = 15_000) {
      stopping ??= stop(graceMs);
      return stopping;
    },
  };
}

/** The last lines of a service's log, for an error message. */
export function logTail(service: ServiceProcess, lines = 20): string {
  try {
    return readFileSync(service.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Waits until `url` answers 200 (a /readyz), failing with the service's log when it exits
 * first or `timeoutMs` passes.
 */
export async function waitUntilReady(
  service: ServiceProcess,
  url: string,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited while starting:\n${logTail(service)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${service.name} not ready at ${url} within ${timeoutMs} ms:\n${logTail(service)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
