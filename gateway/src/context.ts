import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor, Logger, RequestMeta } from '@hub/kit';

/** What the gateway knows about one GraphQL request: the context Apollo passes to data sources. */
export interface GatewayContext {
  actor: Actor;
  meta: RequestMeta;
  /** Child logger carrying the correlation id and the actor. */
  log: Logger;
}

/** What every request through the gateway carries from its first middleware on. */
export interface RequestScope {
  correlationId: string;
  log: Logger;
}

/**
 * Apollo calls `formatError` without the request's context, yet a masked error must name the
 * request's correlation id; the scope travels to it through async local storage.
 */
const requestScopes = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, run: () => T): T {
  return requestScopes.run(scope, run);
}

export function currentRequestScope(): RequestScope | undefined {
  return requestScopes.getStore();
}
