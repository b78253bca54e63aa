import DataLoader from 'dataloader';
import { FACT_LOADER_OPTIONS, keyedLoader, type InternalClient, type RequestMeta } from '@hub/kit';
import type { AgencyKind } from '@hub/schema';

/** What the panels subgraph needs to know about an escalation (ids and codes only). */
export interface EscalationFact {
  id: string;
  boardId: string;
  caseId: string;
  status: 'OPEN' | 'RESOLVED' | 'CLOSED' | 'WITHDRAWN';
  category: string;
  /** The current stage while OPEN; null otherwise. */
  stageNumber: number | null;
  stageDueAt: string | null;
  /** The current stage is the policy's resolution-panel stage. */
  panelStage: boolean;
  panelAgencyCount: number | null;
  raisingAgencyId: string;
  raisingAgencyKind: AgencyKind;
  respondingAgencyId: string;
  respondingAgencyKind: AgencyKind;
  /** ISO-8601 instant. */
  raisedAt: string;
  /** Who raised, responded, was consulted or wrote a record: none of them may sit on its panel. */
  participantIds: string[];
}

interface Answer {
  escalations: EscalationFact[];
  completedIssues: string[];
}

/**
 * Escalation facts from the escalations subgraph (`POST /internal/escalation-facts`), asked on
 * each request and cached for it only: a panel is convened on the escalation as it is now, never
 * on a replica that may lag.
 */
export function createEscalationFactLoaders(client: InternalClient, meta: RequestMeta) {
  return {
    escalation: keyedLoader<string, EscalationFact>(
      async (ids) =>
        (await client.post<Answer>('/escalation-facts', { escalations: ids }, meta)).escalations,
      (fact) => fact.id,
      FACT_LOADER_OPTIONS,
    ),
    /** Whether an outstanding issue (the escalation's copy of a panel's) has been done. */
    issueDone: new DataLoader<string, boolean>(async (ids) => {
      const answer = await client.post<Answer>('/escalation-facts', { issues: ids }, meta);
      const done = new Set(answer.completedIssues);
      return ids.map((id) => done.has(id));
    }, FACT_LOADER_OPTIONS),
  };
}

export type EscalationFactLoaders = ReturnType<typeof createEscalationFactLoaders>;
