import { auditReads, entityLoader, groupedLoader, keyedLoader, type HubContext } from '@hub/kit';
import { Debrief } from '../entities/debrief.entity.js';
import { EscalationTheme } from '../entities/escalation-theme.entity.js';
import { LearningTheme } from '../entities/learning-theme.entity.js';
import { ProtocolAmendment } from '../entities/protocol-amendment.entity.js';

/** One set per request; every lookup by key in the learning subgraph goes through these. */
export function createLearningLoaders(ctx: HubContext) {
  const { em } = ctx;
  return {
    amendment: entityLoader(em, ProtocolAmendment),
    themeByCode: keyedLoader<string, LearningTheme>(
      (codes) => em.find(LearningTheme, { code: { $in: [...codes] } }),
      (theme) => theme.code,
    ),
    escalationThemes: groupedLoader<string, EscalationTheme>(
      (ids) =>
        em.find(
          EscalationTheme,
          { escalationId: { $in: [...ids] } },
          { orderBy: { themeCode: 'asc' } },
        ),
      (tag) => tag.escalationId,
    ),
    debriefByEscalation: keyedLoader<string, Debrief>(
      (ids) => em.find(Debrief, { escalationId: { $in: [...ids] } }),
      (debrief) => debrief.escalationId,
    ),
    auditDebriefRead: auditReads(ctx, 'debrief.read', 'Debrief'),
  };
}

export type LearningLoaders = ReturnType<typeof createLearningLoaders>;
