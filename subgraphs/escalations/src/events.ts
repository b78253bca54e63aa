import { consumeOnce, type SubgraphServices } from '@hub/kit';
import { ensureDefaultPolicy } from './policy/policy.service.js';

/** A new board gets the default escalation policy as version 1. */
export async function subscribeEscalations(services: SubgraphServices): Promise<void> {
  await services.bus.subscribe('escalations', ['BoardCreated'], async (event) => {
    await consumeOnce(services.db.orm, 'escalations', event, async (em) => {
      await ensureDefaultPolicy(em, String(event.payload.boardId), new Date(event.occurredAt));
    });
  });
}
