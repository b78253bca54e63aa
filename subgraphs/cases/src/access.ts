import { ForbiddenError, hasRole, NotFoundError, type Actor } from '@hub/kit';
import { Role } from '@hub/schema';

/** Roles that do casework. ANALYST, ADMIN and INTEGRATION never see case or child data. */
const CASEWORK_ROLES = [
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
 * Refuses case and child data to anyone but casework practitioners. An account that holds
 * ANALYST or ADMIN is refused even if it also holds a casework role: those roles promise never
 * to see case data, and the promise must hold for the account, not the request.
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
      'Case and child data are available only to practitioners doing casework; analysts, administrators and integration accounts never see them.',
    );
  }
}

export function isAdmin(actor: Actor): boolean {
  return actor.kind === 'admin' || hasRole(actor, Role.ADMIN);
}

export function assertAdmin(actor: Actor): void {
  if (!isAdmin(actor)) {
    throw new ForbiddenError('Only a directory administrator (ADMIN) may change the directory.');
  }
}

export function isBoardManagerOf(actor: Actor, boardId: string): boolean {
  return actor.boardId === boardId && hasRole(actor, Role.BOARD_MANAGER);
}

/** Directory entries are visible within the caller's own board; an administrator sees every board. */
export function assertSeesBoard(actor: Actor, boardId: string, what: string, id: string): void {
  if (!isAdmin(actor) && actor.boardId !== boardId) throw new NotFoundError(what, id);
}

/** A case is visible to its involved agencies and to its board's BOARD_MANAGER. */
export function seesCase(
  actor: CaseworkActor,
  boardId: string,
  involvedAgencyIds: readonly string[],
): boolean {
  return isBoardManagerOf(actor, boardId) || involvedAgencyIds.includes(actor.agencyId);
}
