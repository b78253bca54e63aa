import type { Logger } from './log.js';

/** How long a process may take to stop before it gives up (HUB_SHUTDOWN_TIMEOUT_MS). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Share of the shutdown bound that servers give requests in flight to finish. */
const DRAIN_SHARE = 0.6;

/** How long a server waits for requests in flight when the process stops within `timeoutMs`. */
export function drainGraceMs(timeoutMs: number): number {
  return Math.floor(timeoutMs * DRAIN_SHARE);
}

let currentStep = 'starting to stop';
let shuttingDown = false;

/**
 * True once a signal has started the shutdown: work still under way (a start, the demo seeding)
 * may then fail as the parts close under it, and the shutdown, not that failure, decides the exit.
 */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

/**
 * Says what shutdown is doing now, so that a shutdown that runs out of time can say what it was
 * still waiting for. One process has one shutdown, hence one module-level note.
 */
export function noteShutdownStep(step: string): void {
  currentStep = step;
}

/**
 * Stops the process cleanly on SIGTERM or SIGINT (a service manager, Ctrl-C): runs `stop` once,
 * then exits 0 when everything closed. It exits 1 with one error line when something could not
 * be closed cleanly (the bus or the database unreachable) or when `timeoutMs` passes first, so a
 * service manager never has to kill it. A second signal exits at once.
 */
export function closeOnSignals(
  log: Logger,
  stop: () => Promise<void>,
  timeoutMs: number = DEFAULT_SHUTDOWN_TIMEOUT_MS,
): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now, without finishing the shutdown');
      process.exit(1);
    }
    stopping = true;
    shuttingDown = true;
    const started = Date.now();
    log.info(
      { signal, timeoutMs },
      'shutting down: finishing requests in flight, flushing the outbox',
    );
    const timer = setTimeout(() => {
      log.error(
        { timeoutMs, step: currentStep },
        `shutdown did not finish within ${timeoutMs} ms (still ${currentStep}); exiting`,
      );
      process.exit(1);
    }, timeoutMs);
    stop().then(
      () => {
        clearTimeout(timer);
        log.info({ ms: Date.now() - started }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        log.error(
          { ms: Date.now() - started },
          `shutdown incomplete: ${error instanceof Error ? error.message : String(error)}`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/**
 * Runs each step of a shutdown in turn, even when an earlier one fails, and fails at the end
 * naming every step that did not close cleanly.
 */
export async function closeInTurn(
  who: string,
  steps: readonly (readonly [step: string, close: () => Promise<unknown> | undefined])[],
): Promise<void> {
  const failures: string[] = [];
  for (const [step, close] of steps) {
    noteShutdownStep(`${who}: ${step}`);
    try {
      await close();
    } catch (error) {
      failures.push(`${step} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (failures.length > 0) throw new Error(`${who}: could not finish ${failures.join('; ')}`);
}
