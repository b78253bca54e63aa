import { baseUrlOf, InternalClient, type HubContext, type SubgraphServices } from '@hub/kit';
import { createFactLoaders, type FactLoaders } from './facts/cases-facts.js';
import {
  createEscalationsLoaders,
  type EscalationsLoaders,
} from './loaders/escalations.loaders.js';

export interface EscalationsContext extends HubContext {
  loaders: EscalationsLoaders;
  /** Directory and case facts from the cases subgraph, batched per request. */
  facts: FactLoaders;
}

export function createContext(base: HubContext, services: SubgraphServices): EscalationsContext {
  const casesUrl = services.peers.cases;
  if (!casesUrl)
    throw new Error('the escalations subgraph needs the cases subgraph URL (CASES_INTERNAL_URL)');
  const client = new InternalClient(baseUrlOf(casesUrl), services.actorKey, 'escalations');
  return {
    ...base,
    loaders: createEscalationsLoaders(base),
    facts: createFactLoaders(client, base.meta),
  } satisfies EscalationsContext;
}

/**
 * After a change has committed: publish its events soon, and let the rest of the request (the
 * fields of the mutation's result) read the new state, not what loaders cached before it.
 */
export function afterChange(ctx: EscalationsContext): void {
  ctx.changed();
  ctx.em = ctx.em.fork({ clear: true });
  Object.assign(ctx.loaders, createEscalationsLoaders(ctx));
}
