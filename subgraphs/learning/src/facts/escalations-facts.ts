import { FACT_LOADER_OPTIONS, keyedLoader, type InternalClient, type RequestMeta } from '@hub/kit';
import type { AgencyKind } from '@hub/schema';

/** What the learning subgraph needs to know about an escalation (ids and codes only). */
export interface EscalationFact {
  id: string;
  boardId: string;
  status: 'OPEN' | 'RESOLVED' | 'CLOSED' | 'WITHDRAWN';
  category: string;
  raisingAgencyId: string;
  raisingAgencyKind: AgencyKind;
  respondingAgencyId: string;
  respondingAgencyKind: AgencyKind;
  /** ISO-8601 instant. */
  raisedAt: string;
}

/**
 * Escalation facts from the escalations subgraph (`POST /internal/escalation-facts`), asked on
 * each request: who may tag or debrief an escalation is decided on it as it is now.
 */
export function createEscalationFactLoaders(client: InternalClient, meta: RequestMeta) {
  return {
    escalation: keyedLoader<string, EscalationFact>(
      async (ids) =>
        (
          await client.post<{ escalations: EscalationFact[] }>(
            '/escalation-facts',
            { escalations: ids },
            meta,
          )
        ).escalations,
      (fact) => fact.id,
      FACT_LOADER_OPTIONS,
    ),
  };
}

export type EscalationFactLoaders = ReturnType<typeof createEscalationFactLoaders>;
