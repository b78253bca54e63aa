import { askedFactIds, type HubDatabase } from '@hub/kit';
import type { Router } from 'express';
import { EscalationPolicyVersion } from './entities/escalation-policy.entity.js';
import { EscalationRecord } from './entities/escalation-record.entity.js';
import { EscalationStage } from './entities/escalation-stage.entity.js';
import { Escalation } from './entities/escalation.entity.js';
import { IssueCompletion } from './entities/issue-completion.entity.js';

/**
 * Internal routes for other hub services. `POST /internal/escalation-facts` answers what the
 * panels subgraph needs for its rules, in one round trip: per escalation its board, case,
 * status, current stage (number, due time, whether the policy makes it the resolution-panel
 * stage), the policy's panelAgencyCount, the two agencies, and everyone who took part (raised,
 * responded, was consulted, or wrote a record), who may not sit on its panel; and which of the
 * given outstanding issues are done. Ids and codes only: no free text. Unknown ids are absent;
 * more than `MAX_FACT_IDS` of a kind is refused with 400.
 */
export function escalationsInternalRoutes(router: Router, db: HubDatabase): void {
  router.post('/escalation-facts', async (req, res) => {
    const asked = askedFactIds(req.body, res, ['escalations', 'issues'] as const);
    if (!asked) return;
    const em = db.orm.em.fork();
    const wanted = asked.escalations;
    const escalations = wanted.length ? await em.find(Escalation, { id: { $in: wanted } }) : [];
    const found = escalations.map((e) => e.id);
    const [stages, records, policies] = found.length
      ? await Promise.all([
          em.find(EscalationStage, { escalationId: { $in: found } }),
          em.find(EscalationRecord, { escalationId: { $in: found } }),
          em.find(EscalationPolicyVersion, {
            $or: escalations.map((e) => ({ boardId: e.boardId, version: e.policyVersion })),
          }),
        ])
      : [[], [], []];
    const issueIds = asked.issues;
    const completions = issueIds.length
      ? await em.find(IssueCompletion, { issueId: { $in: issueIds } })
      : [];
    res.json({
      escalations: escalations.map((e) => {
        const policy = policies.find(
          (p) => p.boardId === e.boardId && p.version === e.policyVersion,
        );
        const current = stages.find(
          (s) => s.escalationId === e.id && s.number === e.currentStageNumber,
        );
        const definition =
          policy && e.currentStageNumber ? policy.stages[e.currentStageNumber - 1] : undefined;
        const participants = [
          e.raisedById,
          e.respondentId,
          e.consultedId,
          ...records.filter((r) => r.escalationId === e.id).map((r) => r.authorId),
        ].filter((id): id is string => Boolean(id));
        return {
          id: e.id,
          boardId: e.boardId,
          caseId: e.caseId,
          status: e.status,
          category: e.category,
          stageNumber: e.currentStageNumber,
          stageDueAt: current?.dueAt.toISOString() ?? null,
          panelStage: definition?.resolutionPanel ?? false,
          panelAgencyCount: policy?.panelAgencyCount ?? null,
          raisingAgencyId: e.raisingAgencyId,
          raisingAgencyKind: e.raisingAgencyKind,
          respondingAgencyId: e.respondingAgencyId,
          respondingAgencyKind: e.respondingAgencyKind,
          raisedAt: e.raisedAt.toISOString(),
          participantIds: [...new Set(participants)],
        };
      }),
      completedIssues: completions.map((c) => c.issueId),
    });
  });
}
