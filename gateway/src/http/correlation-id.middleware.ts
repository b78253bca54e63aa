import { randomUUID } from 'node:crypto';
import { CORRELATION_HEADER, type Logger } from '@hub/kit';
import type { RequestHandler, Response } from 'express';
import type { RequestScope } from '../context.js';

/** A client's id is kept only when it cannot forge log lines or bloat headers. */
const SANE_CORRELATION_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The client's correlation id when it is a sane token, otherwise a fresh UUID. */
export function correlationIdFrom(header: string | undefined): string {
  return header !== undefined && SANE_CORRELATION_ID.test(header) ? header : randomUUID();
}

/**
 * Gives every request a correlation id (echoed in the response header) and a child logger that
 * carries it, so one id ties the client's report to the gateway's and the subgraphs' log lines.
 */
export function correlate(log: Logger): RequestHandler {
  return (req, res, next) => {
    const correlationId = correlationIdFrom(req.get(CORRELATION_HEADER));
    res.set(CORRELATION_HEADER, correlationId);
    res.locals.scope = {
      correlationId,
      log: log.child({ correlationId }),
    } satisfies RequestScope;
    next();
  };
}

export function requestScopeOf(res: Response): RequestScope {
  return res.locals.scope as RequestScope;
}
