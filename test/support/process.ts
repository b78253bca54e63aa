import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: real processes run from it, as a user runs them. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The environment a user's shell would give a hub process: this one's, without what vitest adds
 * (NODE_ENV=test changes how some libraries behave, e.g. Apollo's own signal handlers).
 */
export function userEnvironment(
  extra: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'NODE_ENV' || name.startsWith('VITEST') || name.startsWith('HUB_')) continue;
    if (/^(DATABASE_URL|PORT|HOST|OIDC_|LOG_LEVEL)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/** A hub process started by a test, with what it printed. */
export interface HubProcess {
  child: ChildProcess;
  /** Every line it wrote to stdout and stderr, in order. */
  lines: string[];
  /** Resolves with the first line matching `pattern`, or fails when the process exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** The JSON log lines (pino) it wrote. */
  logs(): Record<string, any>[];
  /** Sends `signal` and resolves with the exit code and how long the process took to exit. */
  stop(signal?: NodeJS.Signals, options?: { group?: boolean }): Promise<Exited>;
  /** Resolves when it exits by itself. */
  exited: Promise<Exited>;
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the signal (or from the start) to the exit. */
  ms: number;
}

/**
 * Starts `command args` from the repository root. `detached` puts it in its own process group,
 * so that a test can signal the whole group as a terminal's Ctrl-C does.
 */
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: { detached?: boolean } = {},
): HubProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const lines: string[] = [];
  const watchers = new Set<() => void>();
  let signalledAt = Date.now();
  for (const stream of [child.stdout!, child.stderr!]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop()!;
      lines.push(...complete);
      for (const watch of watchers) watch();
    });
  }
  const exited = new Promise<Exited>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal, ms: Date.now() - signalledAt });
      for (const watch of watchers) watch();
    });
  });
  const process: HubProcess = {
    child,
    lines,
    exited,
    waitFor(pattern, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no line matching ${pattern} within ${ms} ms:\n${lines.join('\n')}`));
        }, ms);
        const check = () => {
          const found = lines.find((line) => pattern.test(line));
          if (found !== undefined) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(new Error(`exited before printing ${pattern}:\n${lines.join('\n')}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
    logs() {
      return lines.flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as Record<string, any>];
        } catch {
          return [];
        }
      });
    },
    async stop(signal = 'SIGTERM', stopOptions = {}) {
      signalledAt = Date.now();
      if (stopOptions.group) globalThis.process.kill(-child.pid!, signal);
      else child.kill(signal);
      return exited;
    },
  };
  return process;
}

/** Kills whatever is left of a test's processes (a failed test must not leave servers behind). */
export function killAll(processes: HubProcess[]): void {
  for (const { child } of processes) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** The `url` of the first JSON log line whose message is `message` (e.g. `gateway listening`). */
export async function listeningUrl(hub: HubProcess, message: string): Promise<string> {
  const line = await hub.waitFor(new RegExp(`"msg":"${message}"`));
  return (JSON.parse(line) as { url: string }).url;
}
