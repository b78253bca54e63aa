import {
  ACTOR_HEADER,
  CORRELATION_HEADER,
  signActor,
  type Actor,
  type RequestMeta,
} from '@hub/kit';
import { AgencyKind, Role } from '@hub/schema';
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

/** The embedded default's bootstrap administrator: not in the directory, so built here. */
export const ADMIN_ACTOR: Actor = {
  kind: 'admin',
  id: 'admin',
  roles: [Role.ADMIN],
  agencyId: null,
  agencyKind: null,
  boardId: null,
};

/** The cases subgraph's answer to `GET /internal/actor/:id`. */
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
  /** The cases subgraph's GraphQL URL; its `/internal/actor/:id` sits beside `/graphql`. */
  casesUrl: string;
  /** Key that signs the actor header (the hub's internal secret). */
  actorKey: Uint8Array;
  /** @default 5000 */
  timeoutMs?: number;
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
    if (identity.admin) return ADMIN_ACTOR;
    // encodeURIComponent leaves dots alone, and a `..` segment would leave /internal/actor/.
    if (/^\.{1,2}$/.test(identity.subject)) return null;
    const response = await fetch(`${base}/internal/actor/${encodeURIComponent(identity.subject)}`, {
      headers: {
        [ACTOR_HEADER]: await signActor(options.actorKey, GATEWAY_SERVICE_ACTOR, meta),
        [CORRELATION_HEADER]: meta.correlationId,
        accept: 'application/json',
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`The directory answered ${response.status} for an actor lookup.`);
    }
    const entry = directoryEntrySchema.parse(await response.json());
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
