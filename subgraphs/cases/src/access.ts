import {
  ForbiddenError,
  hasRole,
  isBoardManagerOf,
  NotFoundError,
  type Actor,
  type CaseworkActor,
} from '@hub/kit';
import { Role } from '@hub/schema';

export function isAdmin(actor: Actor): boolean {
  return actor.kind === 'admin' || hasRole(actor, Role.ADMIN);
}

export function assertAdmin(actor: Actor): void {
  if (!isAdmin(actor)) {
    throw new ForbiddenError('Only a directory administrator (ADMIN) may change the directory.');
  }
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

export { assertCasework, isBoardManagerOf, type CaseworkActor } from '@hub/kit';
