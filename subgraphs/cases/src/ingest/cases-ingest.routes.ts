import {
  applyIngestBatch,
  appendAudit,
  ingestApplyRoute,
  IngestLedgerEntry,
  integrationRefusal,
  internalRequestMeta,
  isUuid,
  type HubDatabase,
  type RequestMeta,
  type SubgraphServices,
} from '@hub/kit';
import type { Router } from 'express';
import { z } from 'zod';
import { Agency } from '../entities/agency.entity.js';
import { Practitioner } from '../entities/practitioner.entity.js';
import { applyCasesRecord } from './cases-ingest.applier.js';

/** Most source ids or emails one lookup may ask for. */
const MAX_LOOKUP = 500;

/** The integration account, once re-checked: its directory entry and its agency. */
interface Integration {
  practitioner: Practitioner;
  agency: Agency;
}

const lookupSchema = z.object({
  agencyId: z.uuid('must be an id (UUID)'),
  cases: z
    .array(z.object({ plugin: z.string().max(100), sourceId: z.string().max(200) }))
    .max(MAX_LOOKUP)
    .default([]),
  emails: z.array(z.string().max(320)).max(MAX_LOOKUP).default([]),
});

/**
 * The cases subgraph's ingest routes. `POST /internal/ingest/apply` applies `child` and `case`
 * records (ingest-apply.ts in the kit has the contract). `POST /internal/ingest/lookup` answers
 * the escalations subgraph's ingest in one round trip: the cases that an agency's case records
 * (`cases`: plugin and source id) became, from the ledger; the practitioners of the agency's
 * board with the given emails; and the board's agencies (to resolve AgencyRefs). Directory data
 * and case ids only.
 */
export function casesIngestRoutes(
  router: Router,
  db: HubDatabase,
  services: SubgraphServices,
): void {
  ingestApplyRoute<Integration>(router, {
    log: services.log,
    changed: services.changed,
    async authorize(practitionerId) {
      const em = db.orm.em.fork();
      const practitioner = isUuid(practitionerId)
        ? await em.findOne(Practitioner, { id: practitionerId })
        : null;
      const agency = practitioner ? await em.findOne(Agency, { id: practitioner.agencyId }) : null;
      const refused = integrationRefusal(practitioner, agency?.boardId === practitioner?.boardId);
      return refused ? { refused } : { practitioner: practitioner!, agency: agency! };
    },
    async apply(request, { practitioner, agency }, meta: RequestMeta) {
      const em = db.orm.em.fork({ loggerContext: { correlationId: meta.correlationId } });
      const scope = {
        actor: {
          kind: 'practitioner' as const,
          id: practitioner.id,
          roles: practitioner.roles,
          agencyId: agency.id,
          agencyKind: agency.kind,
          boardId: agency.boardId,
        },
        meta,
        boardAgencies: await em.find(Agency, { boardId: agency.boardId }),
        now: services.clock(),
      };
      return applyIngestBatch(em, request.records, {
        agencyId: agency.id,
        kinds: ['child', 'case'],
        owner: 'the escalations subgraph',
        now: scope.now,
        audit: (event, tx) => appendAudit(tx, scope.actor, meta, event),
        apply: (tx, item, previous) => applyCasesRecord(tx, scope, item, previous),
      });
    },
  });

  router.post('/ingest/lookup', async (req, res) => {
    const parsed = lookupSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      return;
    }
    const { agencyId, cases, emails } = parsed.data;
    const em = db.orm.em.fork({
      loggerContext: { correlationId: internalRequestMeta(res).correlationId },
    });
    const agency = await em.findOne(Agency, { id: agencyId });
    if (!agency) {
      res.json({ cases: [], practitioners: [], agencies: [] });
      return;
    }
    const wanted = [...new Set(emails.map((email) => email.trim().toLowerCase()))];
    const ledger = cases.length
      ? await em.find(IngestLedgerEntry, {
          agencyId,
          kind: 'case',
          $or: cases.map(({ plugin, sourceId }) => ({ plugin, sourceId })),
        })
      : [];
    const practitioners = wanted.length
      ? await em.find(Practitioner, { boardId: agency.boardId, email: { $in: wanted } })
      : [];
    const agencies = await em.find(
      Agency,
      { boardId: agency.boardId },
      { orderBy: { name: 'asc' } },
    );
    res.json({
      cases: ledger.map((entry) => ({
        plugin: entry.plugin,
        sourceId: entry.sourceId,
        caseId: entry.entityId,
      })),
      practitioners: practitioners.map((p) => ({
        id: p.id,
        email: p.email,
        name: p.name,
        agencyId: p.agencyId,
        boardId: p.boardId,
        roles: p.roles,
        lineManagerId: p.lineManagerId,
        active: p.active,
      })),
      agencies: agencies.map((a) => ({ id: a.id, kind: a.kind, name: a.name })),
    });
  });
}
