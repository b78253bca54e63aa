import { randomBytes, webcrypto } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { AgencyKind, Role } from '@hub/schema';

/**
 * Who is asking, as the gateway established it from the bearer token and the directory.
 * Subgraphs authorize from this alone; they never see the client's token.
 */
export interface Actor {
  /** `practitioner`: a directory entry; `admin`: the bootstrap administrator; `service`: a hub component. */
  kind: 'practitioner' | 'admin' | 'service';
  /** Practitioner id; `admin` (embedded key) or the OIDC subject (HUB_ADMIN_SUBJECTS); or the service's name. */
  id: string;
  roles: Role[];
  agencyId: string | null;
  agencyKind: AgencyKind | null;
  boardId: string | null;
}

/** Facts about the request that travel with the actor (for logs and the audit log). */
export interface RequestMeta {
  correlationId: string;
  /** The client's address as the gateway saw it. */
  ip: string | null;
}

/** Header carrying the gateway's signed actor to subgraphs. */
export const ACTOR_HEADER = 'x-hub-actor';
/** Header carrying the correlation id through the hub and back to the client. */
export const CORRELATION_HEADER = 'x-correlation-id';

const AUDIENCE = 'hub-subgraphs';
const ISSUER = 'hub-gateway';
/** Long enough for one federated request and its entity fetches; short enough to be useless if leaked. */
const LIFETIME_SECONDS = 120;

export function newInternalSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function secretKey(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('The internal secret must be at least 32 characters.');
  return new TextEncoder().encode(secret);
}

/**
 * The internal secret imported once as an HMAC key: jose imports a raw key on every sign and
 * verify otherwise, and the gateway signs, and a subgraph verifies, once per subgraph request.
 */
const hmacKeys = new WeakMap<Uint8Array, Promise<webcrypto.CryptoKey>>();
function hmacKey(key: Uint8Array): Promise<webcrypto.CryptoKey> {
  let imported = hmacKeys.get(key);
  if (!imported) {
    imported = webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    hmacKeys.set(key, imported);
  }
  return imported;
}

/** Signs the actor for one request (HS256 with the hub's internal secret). */
export async function signActor(key: Uint8Array, actor: Actor, meta: RequestMeta): Promise<string> {
  return new SignJWT({ act: actor, cid: meta.correlationId, ip: meta.ip })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(await hmacKey(key));
}

/** Headers already verified, by their text; at most {@link VERIFIED_KEPT}, the oldest dropped first. */
const verifiedHeaders = new Map<string, VerifiedHeader>();
const VERIFIED_KEPT = 1000;

interface VerifiedHeader {
  /** The key its signature was checked with. */
  key: Uint8Array;
  actor: Actor;
  meta: RequestMeta;
  /** The header's `exp`, in seconds since the epoch. */
  expiresAt: number;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.length === b.length && Buffer.compare(a, b) === 0);
}

/**
 * Verifies a signed actor header; throws when it is missing, forged or expired.
 *
 * The gateway signs one header per client request and sends it with each of that request's
 * subgraph fetches (a case page makes seven), so the subgraphs meet the same header several
 * times within moments (in the embedded hub, all in one process). A header whose signature
 * checked out is kept, by its exact text and with the key it was checked with, until it
 * expires; the same text with the same key is not checked again, since an HMAC over the same
 * bytes with the same key gives the same answer. Its expiry is still checked on every use, as
 * jose checks it, and each caller gets its own copy of the actor.
 */
export async function verifyActor(
  key: Uint8Array,
  header: string | undefined,
): Promise<{ actor: Actor; meta: RequestMeta }> {
  if (!header) throw new Error('missing actor header');
  let entry = verifiedHeaders.get(header);
  if (entry && (entry.expiresAt <= Math.floor(Date.now() / 1000) || !sameKey(entry.key, key))) {
    entry = undefined;
  }
  if (!entry) {
    entry = await checkActorHeader(key, header);
    verifiedHeaders.delete(header);
    if (verifiedHeaders.size >= VERIFIED_KEPT) {
      verifiedHeaders.delete(verifiedHeaders.keys().next().value!);
    }
    verifiedHeaders.set(header, entry);
  }
  return {
    actor: { ...entry.actor, roles: [...entry.actor.roles] },
    meta: { ...entry.meta },
  };
}

async function checkActorHeader(key: Uint8Array, header: string): Promise<VerifiedHeader> {
  const { payload } = await jwtVerify(header, await hmacKey(key), {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['HS256'],
  });
  const actor = payload.act as Actor | undefined;
  if (!actor || typeof actor.id !== 'string' || !Array.isArray(actor.roles)) {
    throw new Error('actor header carries no actor');
  }
  if (typeof payload.exp !== 'number') throw new Error('actor header carries no expiry');
  return {
    key,
    actor,
    meta: { correlationId: String(payload.cid ?? ''), ip: (payload.ip as string | null) ?? null },
    expiresAt: payload.exp,
  };
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((role) => actor.roles.includes(role));
}
