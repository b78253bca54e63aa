import {
  auditReads,
  entityLoader,
  findByKeys,
  groupedLoader,
  keyedLoader,
  type HubContext,
} from '@hub/kit';
import { AgreedOutcome } from '../entities/agreed-outcome.entity.js';
import { EscalationPolicyVersion } from '../entities/escalation-policy.entity.js';
import { EscalationRecord } from '../entities/escalation-record.entity.js';
import { EscalationStage } from '../entities/escalation-stage.entity.js';
import { Escalation } from '../entities/escalation.entity.js';
import { IssueCompletion } from '../entities/issue-completion.entity.js';
import { OutcomeConfirmation } from '../entities/outcome-confirmation.entity.js';
import { OutstandingIssue } from '../entities/outstanding-issue.entity.js';
import { PanelSeat } from '../entities/panel-seat.entity.js';

/** One set per request; every lookup by key in the escalations subgraph goes through these. */
export function createEscalationsLoaders(ctx: HubContext) {
  const { em } = ctx;
  const byEscalation = <T extends { escalationId: string }>(
    entity: new () => T,
    orderBy: Record<string, 'asc' | 'desc'>,
  ) =>
    groupedLoader<string, T>(
      (ids) => findByKeys<T>(em, entity, 'escalationId', ids, orderBy as never),
      (row) => row.escalationId,
    );
  return {
    escalation: entityLoader(em, Escalation),
    stages: byEscalation(EscalationStage, { number: 'asc' }),
    // In the order things happened; records written together keep the order they were written in.
    records: byEscalation(EscalationRecord, {
      occurredAt: 'asc',
      recordedAt: 'asc',
      sequence: 'asc',
      id: 'asc',
    }),
    issues: byEscalation(OutstandingIssue, { createdAt: 'asc', id: 'asc' }),
    confirmations: byEscalation(OutcomeConfirmation, { confirmedAt: 'asc' }),
    outcome: keyedLoader<string, AgreedOutcome>(
      (ids) => findByKeys(em, AgreedOutcome, 'escalationId', ids),
      (row) => row.escalationId,
    ),
    completion: keyedLoader<string, IssueCompletion>(
      (ids) => findByKeys(em, IssueCompletion, 'issueId', ids),
      (row) => row.issueId,
    ),
    escalationsByCase: groupedLoader<string, Escalation>(
      (caseIds) => findByKeys(em, Escalation, 'caseId', caseIds, { raisedAt: 'desc', id: 'desc' }),
      (row) => row.caseId,
    ),
    /** Keyed by `boardId:version`. */
    policyVersion: keyedLoader<string, EscalationPolicyVersion>(
      async (keys) => {
        const boardIds = [...new Set(keys.map((key) => key.split(':')[0]))];
        const versions = keys.map((key) => Number(key.split(':')[1]));
        return em.find(EscalationPolicyVersion, {
          boardId: { $in: boardIds },
          version: { $in: versions },
        });
      },
      (row) => `${row.boardId}:${row.version}`,
    ),
    /** Who sits on each escalation's resolution panel (a replica from PanelConvened). */
    panelSeats: byEscalation(PanelSeat, { practitionerId: 'asc' }),
    auditEscalationRead: auditReads(ctx, 'escalation.read', 'Escalation'),
  };
}

export type EscalationsLoaders = ReturnType<typeof createEscalationsLoaders>;
