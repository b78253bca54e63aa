import {
  ACTOR_HEADER,
  CORRELATION_HEADER,
  signActor,
  type Actor,
  type RequestMeta,
} from '@hub/kit';
import { AgencyKind, Role } from '@hub/schema';
import { request, type Agent } from 'undici';
import { z } from 'zod';
import { subgraphBaseUrl } from '../subgraph-url.js';
import type { TokenIdentity } from './verify-token.js';

/** How the gateway signs its own calls to subgraphs' internal routes. */
export const GATEWAY_SERVICE_ACTOR: Actor = {
  kind: 'service',
  id: 'gateway',
  roles: [],
  agencyId: null,
  agencyKind: null,
  boardId: null,
};

/**
 * The bootstrap administrator: not in the directory, so built here. Under OIDC its id is the
 * subject listed in HUB_ADMIN_SUBJECTS instead of `admin`.
 */
export const ADMIN_ACTOR: Actor = {
  kind: 'admin',
  id: 'admin',
  roles: [Role.ADMIN],
  agencyId: null,
  agencyKind: null,
  boardId: null,
};

/**
 * The directory's longest external subject (practitioner.external_subject); a longer `sub`
 * names nobody, so it is not sent.
 */
const MAX_EXTERNAL_SUBJECT_LENGTH = 255;

/** The cases subgraph's answer to `GET /internal/actor/:id` and `/internal/actor-by-subject`. */
const directoryEntrySchema = z.object({
  id: z.string().min(1),
  agencyId: z.string().nullable(),
  agencyKind: z.enum(AgencyKind).nullable(),
  boardId: z.string().nullable(),
  roles: z.array(z.enum(Role)),
  active: z.boolean(),
});

/** Loads the actor for a verified token; null when the directory does not know an active one. */
export type ActorLoader = (identity: TokenIdentity, meta: RequestMeta) => Promise<Actor | null>;

export interface ActorLoaderOptions {
  /** The cases subgraph's GraphQL URL; its `/internal/*` routes sit beside `/graphql`. */
  casesUrl: string;
  /** Key that signs the actor header (the hub's internal secret). */
  actorKey: Uint8Array;
  /** The gateway's connections to its subgraphs (`subgraphAgent`). @default undici's global one */
  agent?: Agent;
  /**
   * What a token's subject names: the practitioner's id (the embedded key's tokens) or their
   * external subject as an administrator stored it (an OIDC issuer's). @default 'practitionerId'
   */
  by?: 'practitionerId' | 'externalSubject';
  /** @default 5000 */
  timeoutMs?: number;
}

/**
 * The directory path that looks the subject up, or null when it can name nobody. An external
 * subject is any string the issuer chose (a `/`, a `..`), so it travels as a query parameter,
 * which carries every string faithfully; a path segment would not.
 */
function lookupPath(by: ActorLoaderOptions['by'], subject: string): string | null {
  if (by === 'externalSubject') {
    if (subject.length > MAX_EXTERNAL_SUBJECT_LENGTH) return null;
    return `/internal/actor-by-subject?${new URLSearchParams({ subject }).toString()}`;
  }
  // encodeURIComponent leaves dots alone, and a `..` segment would leave /internal/actor/.
  if (/^\.{1,2}$/.test(subject)) return null;
  return `/internal/actor/${encodeURIComponent(subject)}`;
}

/**
 * Asks the directory (the cases subgraph) for the practitioner on every request, with no cache:
 * deactivating a practitioner or changing their roles must apply to their very next request.
 * Throws when the directory cannot answer, which the caller reports as the hub's fault.
 */
export function createActorLoader(options: ActorLoaderOptions): ActorLoader {
  const base = subgraphBaseUrl(options.casesUrl);
  const timeoutMs = options.timeoutMs ?? 5000;
  return async (identity, meta) => {
    // The subject is the actor id, so the audit log names which administrator acted.
    if (identity.admin) return { ...ADMIN_ACTOR, id: identity.subject };
    const path = lookupPath(options.by, identity.subject);
    if (!path) return null;
    // undici's request, not fetch: no Fetch API objects and body streams for a lookup that every
    // request makes.
    const response = await request(`${base}${path}`, {
      headers: {
        [ACTOR_HEADER]: await signActor(options.actorKey, GATEWAY_SERVICE_ACTOR, meta),
        [CORRELATION_HEADER]: meta.correlationId,
        accept: 'application/json',
      },
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher: options.agent,
    });
    if (response.statusCode === 404) {
      await response.body.dump();
      return null;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump();
      throw new Error(`The directory answered ${response.statusCode} for an actor lookup.`);
    }
    const entry = directoryEntrySchema.parse(await response.body.json());
    if (!entry.active) return null;
    return {
      kind: 'practitioner',
      id: entry.id,
      roles: entry.roles,
      agencyId: entry.agencyId,
      agencyKind: entry.agencyKind,
      boardId: entry.boardId,
    };
  };
}
