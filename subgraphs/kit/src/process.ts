import type { Logger } from './log.js';

/**
 * Closes `stop` once on SIGTERM or SIGINT, then exits: 0 when everything closed, 1 otherwise.
 * Used by every long-running hub process.
 */
export function closeOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing requests in flight, flushing the outbox');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
