import { consumeOnce, type SubgraphServices } from '@hub/kit';
import { PanelSeat } from './entities/panel-seat.entity.js';
import { applyPanelDecided } from './panel-decision.js';
import { ensureDefaultPolicy } from './policy/policy.service.js';

/**
 * A new board gets the default escalation policy as version 1; a convened panel's members may
 * see its escalation; a panel's decision resolves its escalation (panel-decision.ts). One
 * subscription, so one durable consumer on NATS.
 */
export async function subscribeEscalations(services: SubgraphServices): Promise<void> {
  const types = ['BoardCreated', 'PanelConvened', 'PanelDecided'];
  await services.bus.subscribe('escalations', types, async (event) => {
    if (event.type === 'PanelDecided') {
      await applyPanelDecided(services, event);
      return;
    }
    await consumeOnce(services.db.orm, 'escalations', event, async (em) => {
      if (event.type === 'PanelConvened') {
        const escalationId = String(event.payload.escalationId);
        const panelId = String(event.payload.panelId);
        for (const practitionerId of event.payload.memberIds as string[]) {
          if (!(await em.findOne(PanelSeat, { escalationId, practitionerId })))
            em.create(PanelSeat, { escalationId, practitionerId, panelId });
        }
        return;
      }
      await ensureDefaultPolicy(em, String(event.payload.boardId), new Date(event.occurredAt));
    });
  });
}
