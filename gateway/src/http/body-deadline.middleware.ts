import type { RequestHandler } from 'express';
import { requestScopeOf } from './correlation-id.middleware.js';

/** Node's own `requestTimeout` default, which the gateway keeps for every route but ingest. */
export const DEFAULT_BODY_TIMEOUT_MS = 300_000;

/**
 * Ends a request whose body has not arrived whole within `ms` of reaching this middleware: 408
 * if nothing was answered yet, and the connection closes. It stands in for Node's
 * `requestTimeout`, which applies to a whole server and would cut a long ingest; without a bound
 * a client sending a body a byte a minute holds a connection for ever.
 */
export function bodyDeadline(ms: number): RequestHandler {
  return (req, res, next) => {
    if (!req.complete) {
      const timer = setTimeout(() => {
        if (req.complete) return;
        requestScopeOf(res).log.info({ ms }, 'closed a request whose body did not arrive in time');
        if (res.headersSent) {
          req.socket.destroy();
          return;
        }
        // Node closes the connection once the answer is out.
        res
          .status(408)
          .set('Connection', 'close')
          .json({
            errors: [
              {
                message: 'The request body did not arrive in time.',
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          });
      }, ms);
      const clear = () => clearTimeout(timer);
      req.once('end', clear);
      res.once('close', clear);
    }
    next();
  };
}
