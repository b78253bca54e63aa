import { Role } from '@hub/schema';
import { hasRole, type Actor } from './actor.js';
import { ForbiddenError } from './errors.js';

/** Roles that do casework. ANALYST, ADMIN and INTEGRATION never see case or child data. */
export const CASEWORK_ROLES = [
  Role.PRACTITIONER,
  Role.LINE_MANAGER,
  Role.SAFEGUARDING_LEAD,
  Role.SENIOR_MANAGER,
  Role.BOARD_MANAGER,
  Role.PANEL_MEMBER,
];

/** A practitioner acting in casework: one with an agency and board, a casework role, and no analyst or admin role. */
export type CaseworkActor = Actor & { kind: 'practitioner'; agencyId: string; boardId: string };

/**
 * Refuses case, child and escalation data to anyone but casework practitioners. An account that
 * holds ANALYST or ADMIN is refused even if it also holds a casework role: those roles promise
 * never to see case data, and the promise must hold for the account, not the request.
 */
export function assertCasework(actor: Actor): asserts actor is CaseworkActor {
  if (
    actor.kind !== 'practitioner' ||
    !actor.agencyId ||
    !actor.boardId ||
    hasRole(actor, Role.ANALYST, Role.ADMIN) ||
    !hasRole(actor, ...CASEWORK_ROLES)
  ) {
    throw new ForbiddenError(
      'Case, child and escalation data are available only to practitioners doing casework; analysts, administrators and integration accounts never see them.',
    );
  }
}

export function isBoardManagerOf(actor: Actor, boardId: string): boolean {
  return actor.boardId === boardId && hasRole(actor, Role.BOARD_MANAGER);
}
