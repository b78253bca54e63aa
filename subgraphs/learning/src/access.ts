import { assertCasework, ForbiddenError, hasRole, isBoardManagerOf, type Actor } from '@hub/kit';
import { Role } from '@hub/schema';
import type { EscalationFact } from './facts/escalations-facts.js';

/** Statistics are for the board's ANALYSTs and BOARD_MANAGERs, and nobody else. */
export function assertAnalyticsOf(actor: Actor, boardId: string): void {
  if (
    actor.kind !== 'practitioner' ||
    actor.boardId !== boardId ||
    !hasRole(actor, Role.ANALYST, Role.BOARD_MANAGER)
  ) {
    throw new ForbiddenError(
      "Escalation statistics are for the board's analysts and board managers only.",
    );
  }
}

/**
 * Who may tag an escalation or record its debrief, and read the debrief: its board's
 * BOARD_MANAGER and practitioners (doing casework) of the raising or responding agency.
 */
export function actsOnEscalation(actor: Actor, escalation: EscalationFact): boolean {
  try {
    assertCasework(actor);
  } catch {
    return false;
  }
  return (
    isBoardManagerOf(actor, escalation.boardId) ||
    actor.agencyId === escalation.raisingAgencyId ||
    actor.agencyId === escalation.respondingAgencyId
  );
}
