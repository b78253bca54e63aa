import {
  applyIngestBatch,
  appendAudit,
  baseUrlOf,
  ingestApplyRoute,
  integrationRefusal,
  InternalClient,
  isUuid,
  type CaseworkActor,
  type HubDatabase,
  type RequestMeta,
  type SubgraphServices,
} from '@hub/kit';
import type { Router } from 'express';
import {
  createFactLoaders,
  primeFacts,
  type AgencyFact,
  type FactLoaders,
  type PractitionerFact,
} from '../facts/cases-facts.js';
import { latestPolicy } from '../policy/policy.service.js';
import { applyEscalationsRecord, type IngestLookup } from './escalations-ingest.applier.js';

/** The integration account, re-checked through the cases subgraph's facts. */
interface Integration {
  practitioner: PractitionerFact;
  agency: AgencyFact;
  facts: FactLoaders;
  client: InternalClient;
}

/**
 * The escalations subgraph's ingest route: `POST /internal/ingest/apply` applies `disagreement`
 * and `escalation-record` records (the kit's ingest-apply.ts has the contract). The integration
 * account is re-checked with the cases subgraph's facts on every call; one lookup then answers
 * the batch's cases (from the cases ledger), the practitioners it names and the board's agencies.
 */
export function escalationsIngestRoutes(
  router: Router,
  db: HubDatabase,
  services: SubgraphServices,
): void {
  ingestApplyRoute<Integration>(router, {
    log: services.log,
    changed: services.changed,
    async authorize(practitionerId, meta) {
      const casesUrl = services.peers.cases;
      if (!casesUrl) throw new Error('the escalations subgraph needs the cases subgraph URL');
      const client = new InternalClient(baseUrlOf(casesUrl), services.actorKey, 'escalations');
      const facts = createFactLoaders(client, meta);
      const practitioner = isUuid(practitionerId)
        ? await facts.practitioner.load(practitionerId)
        : null;
      const agency = practitioner ? await facts.agency.load(practitioner.agencyId) : null;
      const refused = integrationRefusal(practitioner, agency?.boardId === practitioner?.boardId);
      return refused
        ? { refused }
        : { practitioner: practitioner!, agency: agency!, facts, client };
    },
    async apply(request, { practitioner, agency, facts, client }, meta: RequestMeta) {
      const pairs = new Map<string, { plugin: string; sourceId: string }>();
      const emails = new Set<string>();
      for (const { plugin, record } of request.records) {
        if (record.kind === 'disagreement') {
          pairs.set(`${plugin}\u0000${record.caseSourceId}`, {
            plugin,
            sourceId: record.caseSourceId,
          });
          emails.add(record.raisedBy.email);
          if (record.respondent) emails.add(record.respondent.email);
        } else if (record.kind === 'escalation-record') {
          emails.add(record.author.email);
        }
      }
      // Asked before the batch's transaction opens, so it holds no lock while it waits.
      const lookup = await client.post<IngestLookup>(
        '/ingest/lookup',
        { agencyId: agency.id, cases: [...pairs.values()], emails: [...emails] },
        meta,
      );
      // Everything the rules will ask the cases subgraph about, in a call or a few, rather than
      // one call after another per record (also before the transaction opens).
      await primeFacts(client, meta, facts, {
        boards: [agency.boardId],
        agencies: lookup.agencies.map((a) => a.id),
        practitioners: lookup.practitioners.map((p) => p.id),
        cases: lookup.cases.map((c) => c.caseId),
      });
      const actor: CaseworkActor = {
        kind: 'practitioner',
        id: practitioner.id,
        roles: practitioner.roles,
        agencyId: agency.id,
        agencyKind: agency.kind,
        boardId: agency.boardId,
      };
      const em = db.orm.em.fork({ loggerContext: { correlationId: meta.correlationId } });
      // The batch is one board's: its policy is read once, as the batch begins, not per raise
      // (and not at all for a batch that raises nothing). None yet (a board whose BoardCreated
      // has not arrived): each raise writes the default.
      const policy = pairs.size > 0 ? await latestPolicy(em, agency.boardId) : null;
      const scope = {
        actor,
        integrationName: practitioner.name,
        meta,
        facts,
        lookup,
        now: services.clock(),
        policy,
      };
      return applyIngestBatch(em, request.records, {
        agencyId: agency.id,
        kinds: ['disagreement', 'escalation-record'],
        owner: 'the cases subgraph',
        now: scope.now,
        audit: (event, tx) => appendAudit(tx, actor, meta, event),
        apply: (tx, item, previous) => applyEscalationsRecord(tx, scope, item, previous),
      });
    },
  });
}
