import {
  auditReads,
  entityLoader,
  findByKeys,
  groupedLoader,
  keyedLoader,
  type HubContext,
} from '@hub/kit';
import { PanelDecision } from '../entities/panel-decision.entity.js';
import { PanelMember } from '../entities/panel-member.entity.js';
import { PanelOutstandingIssue } from '../entities/panel-outstanding-issue.entity.js';
import { Representation } from '../entities/representation.entity.js';
import { ResolutionPanel } from '../entities/resolution-panel.entity.js';

/** One set per request; every lookup by key in the panels subgraph goes through these. */
export function createPanelsLoaders(ctx: HubContext) {
  const { em } = ctx;
  const byPanel = <T extends { panelId: string }>(
    entity: new () => T,
    orderBy: Record<string, 'asc' | 'desc'>,
  ) =>
    groupedLoader<string, T>(
      (ids) => findByKeys<T>(em, entity, 'panelId', ids, orderBy as never),
      (row) => row.panelId,
    );
  return {
    panel: entityLoader(em, ResolutionPanel),
    panelByEscalation: keyedLoader<string, ResolutionPanel>(
      (ids) => findByKeys(em, ResolutionPanel, 'escalationId', ids),
      (row) => row.escalationId,
    ),
    members: byPanel(PanelMember, { chair: 'desc', id: 'asc' }),
    representations: byPanel(Representation, { submittedAt: 'asc', id: 'asc' }),
    issues: byPanel(PanelOutstandingIssue, { position: 'asc' }),
    decision: keyedLoader<string, PanelDecision>(
      (ids) => findByKeys(em, PanelDecision, 'panelId', ids),
      (row) => row.panelId,
    ),
    auditPanelRead: auditReads(ctx, 'panel.read', 'ResolutionPanel'),
  };
}

export type PanelsLoaders = ReturnType<typeof createPanelsLoaders>;
