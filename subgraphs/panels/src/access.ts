import { assertCasework, isBoardManagerOf, NotFoundError, type CaseworkActor } from '@hub/kit';
import type { PanelsContext } from './context.js';
import type { ResolutionPanel } from './entities/resolution-panel.entity.js';

/**
 * A panel is visible to the raising and the responding agency, to its board's BOARD_MANAGER,
 * and to the practitioners who sit on it.
 */
export async function seesPanel(
  ctx: PanelsContext,
  actor: CaseworkActor,
  panel: ResolutionPanel,
): Promise<boolean> {
  if (
    isBoardManagerOf(actor, panel.boardId) ||
    actor.agencyId === panel.raisingAgencyId ||
    actor.agencyId === panel.respondingAgencyId
  ) {
    return true;
  }
  const members = await ctx.loaders.members.load(panel.id);
  return members.some((member) => member.practitionerId === actor.id);
}

/**
 * Loads a panel the caller may see and audits the read, or fails with NOT_FOUND exactly as for
 * an id that does not exist.
 */
export async function loadVisiblePanel(
  ctx: PanelsContext,
  id: string,
  field?: string,
): Promise<ResolutionPanel> {
  assertCasework(ctx.actor);
  const panel = await ctx.loaders.panel.load(id);
  if (!panel || !(await seesPanel(ctx, ctx.actor, panel)))
    throw new NotFoundError('resolution panel', id, field);
  await ctx.loaders.auditPanelRead.load(panel.id);
  return panel;
}
