import { randomUUID } from 'node:crypto';
import { ACTOR_HEADER, CORRELATION_HEADER, signActor, type RequestMeta } from './actor.js';

/**
 * Calls another subgraph's /internal routes as a hub service: the request carries an actor
 * header of kind `service`, signed with the hub's internal secret.
 */
export class InternalClient {
  constructor(
    /** The other subgraph's base URL, e.g. http://127.0.0.1:4001 (no `/graphql`). */
    private readonly baseUrl: string,
    private readonly actorKey: Uint8Array,
    private readonly serviceName: string,
    private readonly timeoutMs = 5000,
  ) {}

  async post<T>(path: string, body: unknown, meta?: RequestMeta): Promise<T> {
    const header = await signActor(
      this.actorKey,
      {
        kind: 'service',
        id: this.serviceName,
        roles: [],
        agencyId: null,
        agencyKind: null,
        boardId: null,
      },
      meta ?? { correlationId: randomUUID(), ip: null },
    );
    const response = await fetch(`${this.baseUrl}/internal${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [ACTOR_HEADER]: header,
        [CORRELATION_HEADER]: meta?.correlationId ?? '',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) {
      // The route's own reason (e.g. a 400's `{ error }`), so a refused call says what was wrong.
      const reason = (await response.text().catch(() => '')).slice(0, 300);
      throw new Error(
        `${this.serviceName} → ${this.baseUrl}/internal${path}: HTTP ${response.status}` +
          (reason ? ` ${reason}` : ''),
      );
    }
    return (await response.json()) as T;
  }
}

/** A subgraph's base URL from its GraphQL URL. */
export function baseUrlOf(graphqlUrl: string): string {
  return graphqlUrl.replace(/\/graphql\/?$/, '');
}
