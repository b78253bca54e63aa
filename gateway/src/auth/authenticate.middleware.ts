import { unauthenticatedBody, type Actor, type RequestMeta } from '@hub/kit';
import type { RequestHandler, Response } from 'express';
import { internalError } from '../graphql/mask-error.js';
import { requestScopeOf } from '../http/correlation-id.middleware.js';
import type { ActorLoader } from './load-actor.js';
import { bearerToken, TokenError, type TokenVerifier } from './verify-token.js';

/** The authenticated caller, as the middleware leaves it for Apollo's context. */
export interface Authenticated {
  actor: Actor;
  meta: RequestMeta;
}

/** How a route words the middleware's refusals. */
export interface AuthenticationBodies {
  /** The JSON body of a 401 (no valid token, or no active practitioner behind it). */
  unauthenticated(message: string): unknown;
  /** The JSON body of a 503 (the directory or the issuer could not answer). */
  unavailable(correlationId: string): unknown;
}

/** GraphQL-shaped refusals, for /graphql. */
const GRAPHQL_BODIES: AuthenticationBodies = {
  unauthenticated: unauthenticatedBody,
  unavailable: (correlationId) => ({ errors: [internalError(correlationId)] }),
};

/** RFC 6750: a request without credentials gets the challenge without an error code. */
function refuse(
  res: Response,
  bodies: AuthenticationBodies,
  message: string,
  credentialsSent = true,
): void {
  const challenge = credentialsSent
    ? 'Bearer realm="hub", error="invalid_token"'
    : 'Bearer realm="hub"';
  res.status(401).set('WWW-Authenticate', challenge).json(bodies.unauthenticated(message));
}

/**
 * Authenticates before Apollo sees the request: verifies the bearer token, then loads the actor
 * from the directory. No valid token, or no active practitioner behind it, is HTTP 401; a
 * directory or issuer that cannot answer is the hub's fault (503), never the client's.
 */
export function authenticate(
  verifier: TokenVerifier,
  loadActor: ActorLoader,
  bodies: AuthenticationBodies = GRAPHQL_BODIES,
): RequestHandler {
  return async (req, res, next) => {
    const { correlationId, log } = requestScopeOf(res);
    const meta: RequestMeta = { correlationId, ip: req.ip ?? null };
    try {
      const identity = await verifier.verify(bearerToken(req.get('authorization')));
      const actor = await loadActor(identity, meta);
      if (!actor) {
        log.info({ subject: identity.subject }, 'refused a token: no active practitioner');
        refuse(res, bodies, 'No active practitioner in the directory matches this token.');
        return;
      }
      res.locals.auth = { actor, meta } satisfies Authenticated;
    } catch (error) {
      if (error instanceof TokenError) {
        // A missing token is routine (a browser, a probe); a bad one is worth noticing.
        log[error.reason === 'missing' ? 'debug' : 'info'](
          { reason: error.reason, cause: String(error.cause ?? '') },
          'refused a token',
        );
        refuse(res, bodies, error.message, error.reason !== 'missing');
        return;
      }
      log.error({ err: error }, 'could not authenticate: the directory or the issuer failed');
      res.status(503).json(bodies.unavailable(correlationId));
      return;
    }
    next();
  };
}

export function authenticatedOf(res: Response): Authenticated {
  return res.locals.auth as Authenticated;
}
