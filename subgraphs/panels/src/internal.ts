import { askedFactIds, type HubDatabase } from '@hub/kit';
import type { Router } from 'express';
import { PanelDecision } from './entities/panel-decision.entity.js';
import { PanelOutstandingIssue } from './entities/panel-outstanding-issue.entity.js';

/** Most ids a request may ask for. */
const MAX_IDS = 100;

/**
 * Internal routes for other hub services. `POST /internal/panel-decisions` answers a panel's
 * decision in full (summary, next course of action, outstanding issues with their ids): the
 * escalations subgraph asks for it when it applies PanelDecided, whose payload carries no free
 * text, and makes it the escalation's agreed outcome. More than `MAX_IDS` panels is refused
 * with 400.
 */
export function panelsInternalRoutes(router: Router, db: HubDatabase): void {
  router.post('/panel-decisions', async (req, res) => {
    const asked = askedFactIds(req.body, res, ['panels'] as const, MAX_IDS);
    if (!asked) return;
    const em = db.orm.em.fork();
    const wanted = asked.panels;
    const decisions = wanted.length
      ? await em.find(PanelDecision, { panelId: { $in: wanted } })
      : [];
    const issues = decisions.length
      ? await em.find(
          PanelOutstandingIssue,
          { panelId: { $in: decisions.map((d) => d.panelId) } },
          { orderBy: { position: 'asc' } },
        )
      : [];
    res.json({
      decisions: decisions.map((d) => ({
        panelId: d.panelId,
        summary: d.summary,
        nextCourseOfAction: d.nextCourseOfAction,
        decidedAt: d.decidedAt.toISOString(),
        decidedById: d.decidedById,
        outstandingIssues: issues
          .filter((issue) => issue.panelId === d.panelId)
          .map((issue) => ({
            id: issue.id,
            description: issue.description,
            ownerAgencyId: issue.ownerAgencyId,
            dueDate: issue.dueDate,
          })),
      })),
    });
  });
}
