import { baseUrlOf, InternalClient, type HubContext, type SubgraphServices } from '@hub/kit';
import { createCaseFactLoaders, type CaseFactLoaders } from './facts/cases-facts.js';
import {
  createEscalationFactLoaders,
  type EscalationFactLoaders,
} from './facts/escalations-facts.js';
import { createLearningLoaders, type LearningLoaders } from './loaders/learning.loaders.js';
import { StatsTableCache } from './stats/stats.cache.js';

export interface LearningContext extends HubContext {
  loaders: LearningLoaders;
  /** Directory facts from the cases subgraph, batched per request. */
  facts: CaseFactLoaders;
  /** Escalation facts from the escalations subgraph, batched per request. */
  escalationFacts: EscalationFactLoaders;
  /** Boards' statistics tables, kept by the service across requests while unchanged. */
  statsTables: StatsTableCache;
}

export interface LearningOptions {
  /** Statistics rows kept across boards (LEARNING_STATS_CACHE_ROWS); 0 keeps none. */
  statsCacheRows?: number;
}

/** One statistics cache per running learning service (its services object). */
const statsTables = new WeakMap<SubgraphServices, StatsTableCache>();

function statsTablesOf(services: SubgraphServices, options: LearningOptions): StatsTableCache {
  let cache = statsTables.get(services);
  if (!cache) {
    cache = new StatsTableCache(options.statsCacheRows);
    statsTables.set(services, cache);
  }
  return cache;
}

export function createContext(
  base: HubContext,
  services: SubgraphServices,
  options: LearningOptions = {},
): LearningContext {
  const casesUrl = services.peers.cases;
  const escalationsUrl = services.peers.escalations;
  if (!casesUrl)
    throw new Error('the learning subgraph needs the cases subgraph URL (CASES_INTERNAL_URL)');
  if (!escalationsUrl) {
    throw new Error(
      'the learning subgraph needs the escalations subgraph URL (ESCALATIONS_INTERNAL_URL)',
    );
  }
  const cases = new InternalClient(baseUrlOf(casesUrl), services.actorKey, 'learning');
  const escalations = new InternalClient(baseUrlOf(escalationsUrl), services.actorKey, 'learning');
  return {
    ...base,
    loaders: createLearningLoaders(base),
    facts: createCaseFactLoaders(cases, base.meta),
    escalationFacts: createEscalationFactLoaders(escalations, base.meta),
    statsTables: statsTablesOf(services, options),
  } satisfies LearningContext;
}

/**
 * After a change has committed: publish its events soon, and let the rest of the request read
 * the new state, not what loaders cached before it.
 */
export function afterChange(ctx: LearningContext): void {
  ctx.changed();
  ctx.em = ctx.em.fork({ clear: true });
  Object.assign(ctx.loaders, createLearningLoaders(ctx));
}
