import {
  appendAudit,
  consumeOnce,
  insertRows,
  recordEvent,
  selectRows,
  type HubEvent,
  type SubgraphServices,
} from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { CaseAgency } from './entities/case-agency.entity.js';
import { PanelSeat } from './entities/panel-seat.entity.js';

/**
 * An escalation names a responding agency; that agency must be able to see the case it is
 * challenged about, so the cases subgraph (which owns involvement) adds it, once per event. The
 * members of a resolution panel see the case it hears: PanelConvened seats them (a replica).
 * One subscription, so one durable consumer on NATS. The handler touches nothing but this
 * database, through `consumeOnce`, so the in-process bus may apply a relay batch of events in one
 * transaction (`batched`).
 */
export async function subscribeCases(services: SubgraphServices): Promise<void> {
  await services.bus.subscribe(
    'cases',
    ['EscalationRaised', 'PanelConvened'],
    handleCasesEvent(services),
    {
      batched: true,
    },
  );
}

function handleCasesEvent(services: SubgraphServices) {
  return async (event: HubEvent): Promise<void> => {
    if (event.type === 'PanelConvened') {
      await consumeOnce(services.db.orm, 'cases', event, (em) => seatPanel(em, event));
      return;
    }
    const caseId = String(event.payload.caseId);
    const agencyId = String(event.payload.respondingAgencyId);
    await consumeOnce(services.db.orm, 'cases', event, async (em) => {
      // Rows, not entities: nothing changes them here (and this runs for every escalation).
      const [theCase] = await selectRows<{ boardId: string }>(
        em,
        'select board_id as "boardId" from case_file where id = ?',
        [caseId],
      );
      const involved = await selectRows(
        em,
        'select 1 as involved from case_agency where case_id = ? and agency_id = ?',
        [caseId, agencyId],
      );
      if (!theCase || involved.length > 0) return;
      await insertRows(em, CaseAgency, [
        { caseId, agencyId, addedBy: `event:${event.id}`, addedAt: new Date() },
      ]);
      await recordEvent(em, 'CaseAgencyAdded', caseId, {
        caseId,
        boardId: theCase.boardId,
        agencyId,
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
        { action: 'case.add-agency', entityType: 'Case', entityIds: [caseId, agencyId] },
      );
    });
  };
}

/** Seats a convened panel's members on the case it hears; a replay finds them seated. */
async function seatPanel(em: EntityManager, event: HubEvent): Promise<void> {
  const panelId = String(event.payload.panelId);
  const caseId = String(event.payload.caseId);
  for (const practitionerId of event.payload.memberIds as string[]) {
    if (!(await em.findOne(PanelSeat, { panelId, practitionerId })))
      em.create(PanelSeat, { panelId, practitionerId, caseId });
  }
}
