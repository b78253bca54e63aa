import {
  auditReads,
  entityLoader,
  findByKeys,
  groupedLoader,
  keyedLoader,
  type HubContext,
} from '@hub/kit';
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
      (codes) => findByKeys(em, LearningTheme, 'code', codes),
      (theme) => theme.code,
    ),
    escalationThemes: groupedLoader<string, EscalationTheme>(
      (ids) => findByKeys(em, EscalationTheme, 'escalationId', ids, { themeCode: 'asc' }),
      (tag) => tag.escalationId,
    ),
    debriefByEscalation: keyedLoader<string, Debrief>(
      (ids) => findByKeys(em, Debrief, 'escalationId', ids),
      (debrief) => debrief.escalationId,
    ),
    auditDebriefRead: auditReads(ctx, 'debrief.read', 'Debrief'),
  };
}

export type LearningLoaders = ReturnType<typeof createLearningLoaders>;
