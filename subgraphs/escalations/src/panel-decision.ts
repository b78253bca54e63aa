import {
  appendAudit,
  baseUrlOf,
  consumeOnce,
  InternalClient,
  recordEvent,
  type HubEvent,
  type SubgraphServices,
} from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { AgreedOutcome } from './entities/agreed-outcome.entity.js';
import { EscalationRecord } from './entities/escalation-record.entity.js';
import { EscalationStage } from './entities/escalation-stage.entity.js';
import { Escalation } from './entities/escalation.entity.js';
import { OutstandingIssue } from './entities/outstanding-issue.entity.js';
import { EscalationStatus, RecordKind, StageResult } from './enums.js';
import { eventFacts, workingDaysToOutcome } from './escalation-state.js';
import { markOverdue } from './scheduler/overdue.scheduler.js';

/** A panel's decision as the panels subgraph answers it (`POST /internal/panel-decisions`). */
export interface PanelDecisionFact {
  panelId: string;
  summary: string;
  nextCourseOfAction: string;
  decidedAt: string;
  decidedById: string;
  outstandingIssues: {
    id: string;
    description: string;
    ownerAgencyId: string;
    dueDate: string | null;
  }[];
}

/** The outcome's words: the panel's summary and the next course of action it decided. */
export function panelOutcomeText(decision: PanelDecisionFact): string {
  return `Resolution panel decision: ${decision.summary}\n\nNext course of action: ${decision.nextCourseOfAction}`;
}

/**
 * Applies PanelDecided: the escalation becomes RESOLVED with the panel's decision as its agreed
 * outcome at the panel stage, as resolveEscalation does at any other stage; the agencies then
 * confirm it as any outcome. The event carries no free text, so the decision's words come from
 * the panels subgraph (a signed internal call). Idempotent: consumeOnce skips a redelivered
 * event, and an escalation that already has an outcome, or is no longer open at the panel's
 * stage (withdrawn meanwhile), is left as it is.
 */
export async function applyPanelDecided(
  services: SubgraphServices,
  event: HubEvent,
): Promise<void> {
  const panelsUrl = services.peers.panels;
  if (!panelsUrl) {
    throw new Error('the escalations subgraph needs the panels subgraph URL (PANELS_INTERNAL_URL)');
  }
  const client = new InternalClient(baseUrlOf(panelsUrl), services.actorKey, 'escalations');
  const panelId = String(event.payload.panelId);
  const answer = await client.post<{ decisions: PanelDecisionFact[] }>(
    '/panel-decisions',
    { panels: [panelId] },
    { correlationId: event.id, ip: null },
  );
  const decision = answer.decisions.find((d) => d.panelId === panelId);
  // The panel committed its decision before it published the event; if it is missing, retry.
  if (!decision) throw new Error(`panel ${panelId} has no decision to apply`);
  await consumeOnce(services.db.orm, 'escalations', event, (em) =>
    applyPanelDecision(em, event, decision, services),
  );
}

async function applyPanelDecision(
  em: EntityManager,
  event: HubEvent,
  decision: PanelDecisionFact,
  services: SubgraphServices,
): Promise<void> {
  const escalationId = String(event.payload.escalationId);
  const stageNumber = Number(event.payload.stageNumber);
  const escalation = await em.findOne(Escalation, { id: escalationId });
  if (
    !escalation ||
    escalation.status !== EscalationStatus.OPEN ||
    escalation.currentStageNumber !== stageNumber ||
    (await em.findOne(AgreedOutcome, { escalationId }))
  ) {
    services.log.warn(
      { escalationId, panelId: decision.panelId, status: escalation?.status },
      'a panel decision found its escalation no longer open at the panel stage; left unchanged',
    );
    return;
  }
  const now = new Date(decision.decidedAt);
  // The same compare-and-set on version as every state change, so a change racing it fails.
  const claimed = await em.nativeUpdate(
    Escalation,
    { id: escalation.id, version: escalation.version },
    { version: escalation.version + 1 },
  );
  if (claimed !== 1)
    throw new Error(`escalation ${escalation.id} changed while applying a panel decision`);
  const current = await em.findOneOrFail(Escalation, { id: escalation.id }, { refresh: true });
  const stage = await em.findOneOrFail(EscalationStage, {
    escalationId: current.id,
    number: stageNumber,
  });
  if (stage.dueAt.getTime() < now.getTime() && !stage.overdueEmittedAt)
    await markOverdue(em, current, stage, now);
  stage.completedAt = now;
  stage.result = StageResult.RESOLVED;
  const summary = panelOutcomeText(decision);
  em.create(AgreedOutcome, {
    escalationId: current.id,
    summary,
    agreedAt: now,
    agreedAtStage: stageNumber,
    agreedById: decision.decidedById,
  });
  for (const issue of decision.outstandingIssues) {
    // The panel's ids, so the decision and the outcome name the same issues.
    em.create(OutstandingIssue, {
      id: issue.id,
      escalationId: current.id,
      description: issue.description,
      ownerAgencyId: issue.ownerAgencyId,
      dueDate: issue.dueDate,
      createdAt: now,
    });
  }
  em.create(EscalationRecord, {
    escalationId: current.id,
    stageNumber,
    kind: RecordKind.OUTCOME,
    authorId: decision.decidedById,
    text: summary,
    occurredAt: now,
    recordedAt: new Date(),
    sequence: 0,
    sharedWithIds: [
      ...new Set([current.raisedById, ...(current.respondentId ? [current.respondentId] : [])]),
    ],
  });
  current.status = EscalationStatus.RESOLVED;
  current.currentStageNumber = null;
  current.currentStageDueAt = null;
  await recordEvent(em, 'StageCompleted', current.id, {
    ...eventFacts(current),
    stageNumber,
    enteredAt: stage.enteredAt.toISOString(),
    dueAt: stage.dueAt.toISOString(),
    completedAt: now.toISOString(),
    result: StageResult.RESOLVED,
    withinTimescale: now.getTime() <= stage.dueAt.getTime(),
  });
  await recordEvent(em, 'EscalationResolved', current.id, {
    ...eventFacts(current),
    stageNumber,
    agreedAt: now.toISOString(),
    workingDaysToOutcome: workingDaysToOutcome(current, now),
    outstandingIssueCount: decision.outstandingIssues.length,
    panelId: decision.panelId,
  });
  await appendAudit(
    em,
    {
      kind: 'service',
      id: event.source,
      roles: [],
      agencyId: null,
      agencyKind: null,
      boardId: null,
    },
    { correlationId: event.id, ip: null },
    {
      action: 'escalation.resolve-by-panel',
      entityType: 'Escalation',
      entityIds: [current.id, decision.panelId],
    },
  );
}
