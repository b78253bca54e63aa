import { createHmac } from 'node:crypto';
import type { Actor } from '@hub/kit';

/** What the kit's `signActor` writes and `verifyActor` expects (subgraphs/kit/src/actor.ts). */
const ISSUER = 'hub-gateway';
const AUDIENCE = 'hub-subgraphs';
const LIFETIME_SECONDS = 120;
const HEADER = base64url(JSON.stringify({ alg: 'HS256' }));

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** Signs an actor header for one subgraph request. */
export type ActorHeaderSigner = (actor: Actor, correlationId: string) => string;

/**
 * The gateway's signed actor header (an HS256 JWT with the hub's internal secret), made
 * synchronously: autocannon builds each request synchronously, and the Hive Gateway config
 * signs per subgraph fetch without loading the kit (and MikroORM with it) into that process.
 * The kit's `verifyActor` accepts it; a test holds the two together.
 */
export function actorHeaderSigner(internalSecret: string): ActorHeaderSigner {
  if (internalSecret.length < 32) {
    throw new Error('The internal secret must be at least 32 characters.');
  }
  return (actor, correlationId) => {
    const iat = Math.floor(Date.now() / 1000);
    const payload = base64url(
      JSON.stringify({
        act: actor,
        cid: correlationId,
        ip: null,
        iss: ISSUER,
        aud: AUDIENCE,
        iat,
        exp: iat + LIFETIME_SECONDS,
      }),
    );
    const signature = createHmac('sha256', internalSecret)
      .update(`${HEADER}.${payload}`)
      .digest('base64url');
    return `${HEADER}.${payload}.${signature}`;
  };
}

/**
 * The `sub` of a bearer token, read without verifying it: what Hive Gateway's config uses to
 * pick the benchmark user's actor (it does none of the hub's token checks). Null when the
 * header is not a bearer JWT.
 */
export function unverifiedSubject(authorization: string | null | undefined): string | null {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}
