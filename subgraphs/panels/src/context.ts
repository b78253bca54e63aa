import { baseUrlOf, InternalClient, type HubContext, type SubgraphServices } from '@hub/kit';
import { createCaseFactLoaders, type CaseFactLoaders } from './facts/cases-facts.js';
import {
  createEscalationFactLoaders,
  type EscalationFactLoaders,
} from './facts/escalations-facts.js';
import { createPanelsLoaders, type PanelsLoaders } from './loaders/panels.loaders.js';

export interface PanelsContext extends HubContext {
  loaders: PanelsLoaders;
  /** Directory facts from the cases subgraph, batched per request. */
  facts: CaseFactLoaders;
  /** Escalation facts from the escalations subgraph, batched per request. */
  escalationFacts: EscalationFactLoaders;
}

export function createContext(base: HubContext, services: SubgraphServices): PanelsContext {
  const casesUrl = services.peers.cases;
  const escalationsUrl = services.peers.escalations;
  if (!casesUrl)
    throw new Error('the panels subgraph needs the cases subgraph URL (CASES_INTERNAL_URL)');
  if (!escalationsUrl) {
    throw new Error(
      'the panels subgraph needs the escalations subgraph URL (ESCALATIONS_INTERNAL_URL)',
    );
  }
  const cases = new InternalClient(baseUrlOf(casesUrl), services.actorKey, 'panels');
  const escalations = new InternalClient(baseUrlOf(escalationsUrl), services.actorKey, 'panels');
  return {
    ...base,
    loaders: createPanelsLoaders(base),
    facts: createCaseFactLoaders(cases, base.meta),
    escalationFacts: createEscalationFactLoaders(escalations, base.meta),
  } satisfies PanelsContext;
}

/**
 * After a change has committed: publish its events soon, and let the rest of the request (the
 * fields of the mutation's result) read the new state, not what loaders cached before it.
 */
export function afterChange(ctx: PanelsContext): void {
  ctx.changed();
  ctx.em = ctx.em.fork({ clear: true });
  Object.assign(ctx.loaders, createPanelsLoaders(ctx));
}
