import {
  assertCasework,
  hasRole,
  isBoardManagerOf,
  NotFoundError,
  type Actor,
  type CaseworkActor,
} from '@hub/kit';
import { Role } from '@hub/schema';
import type { EscalationsContext } from './context.js';
import type { Escalation } from './entities/escalation.entity.js';
import type { StoredStage } from './entities/escalation-policy.entity.js';

/** The raising and responding agencies and the board's BOARD_MANAGER see an escalation. */
export function seesEscalation(actor: CaseworkActor, escalation: Escalation): boolean {
  return (
    isBoardManagerOf(actor, escalation.boardId) ||
    actor.agencyId === escalation.raisingAgencyId ||
    actor.agencyId === escalation.respondingAgencyId
  );
}

/** A member of the escalation's resolution panel sees it and its record (ARCHITECTURE, "Visibility"). */
export async function sitsOnPanel(ctx: EscalationsContext, escalationId: string): Promise<boolean> {
  const seats = await ctx.loaders.panelSeats.load(escalationId);
  return seats.some((seat) => seat.practitionerId === ctx.actor.id);
}

/**
 * Loads an escalation the caller may see and audits the read, or fails with NOT_FOUND exactly
 * as for an id that does not exist.
 */
export async function loadVisibleEscalation(
  ctx: EscalationsContext,
  id: string,
  field?: string,
): Promise<Escalation> {
  assertCasework(ctx.actor);
  const escalation = await ctx.loaders.escalation.load(id);
  if (
    !escalation ||
    !(seesEscalation(ctx.actor, escalation) || (await sitsOnPanel(ctx, escalation.id)))
  ) {
    throw new NotFoundError('escalation', id, field);
  }
  await ctx.loaders.auditEscalationRead.load(escalation.id);
  return escalation;
}

/** Roles that act for the board rather than for an agency. */
const BOARD_ROLES: Role[] = [Role.BOARD_MANAGER, Role.PANEL_MEMBER];

/**
 * Who may move an escalation on at a stage: the raiser; a practitioner of one of the two
 * agencies holding one of the stage's agency roles (line manager, safeguarding lead, ...); or,
 * where the stage names a board role (the board chair's office, the panel), a holder of that
 * role on the escalation's board.
 */
export function mayActAtStage(actor: Actor, escalation: Escalation, stage: StoredStage): boolean {
  if (actor.id === escalation.raisedById) return true;
  const agencyRoles = stage.actingRoles.filter((role) => !BOARD_ROLES.includes(role));
  const boardRoles = stage.actingRoles.filter((role) => BOARD_ROLES.includes(role));
  const ofParties =
    actor.agencyId === escalation.raisingAgencyId ||
    actor.agencyId === escalation.respondingAgencyId;
  return (
    (ofParties && hasRole(actor, ...agencyRoles)) ||
    (actor.boardId === escalation.boardId && hasRole(actor, ...boardRoles))
  );
}
