import { appendAudit, consumeOnce, recordEvent, type SubgraphServices } from '@hub/kit';
import { CaseAgency } from './entities/case-agency.entity.js';
import { Case } from './entities/case.entity.js';

/**
 * An escalation names a responding agency; that agency must be able to see the case it is
 * challenged about, so the cases subgraph (which owns involvement) adds it, once per event.
 */
export async function subscribeCases(services: SubgraphServices): Promise<void> {
  await services.bus.subscribe('cases', ['EscalationRaised'], async (event) => {
    const caseId = String(event.payload.caseId);
    const agencyId = String(event.payload.respondingAgencyId);
    await consumeOnce(services.db.orm, 'cases', event, async (em) => {
      const theCase = await em.findOne(Case, { id: caseId });
      if (!theCase || (await em.findOne(CaseAgency, { caseId, agencyId }))) return;
      em.create(CaseAgency, { caseId, agencyId, addedBy: `event:${event.id}` });
      recordEvent(em, 'CaseAgencyAdded', caseId, { caseId, boardId: theCase.boardId, agencyId });
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
        { action: 'case.add-agency', entityType: 'Case', entityIds: [caseId, agencyId] },
      );
    });
  });
}
