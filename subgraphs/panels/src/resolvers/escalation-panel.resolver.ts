import type { CaseworkActor } from '@hub/kit';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { seesPanel } from '../access.js';
import type { PanelsContext } from '../context.js';
import { ResolutionPanel } from '../entities/resolution-panel.entity.js';
import { EscalationRef } from '../types/references.type.js';

/** Escalation.panel: the escalation's panel, when there is one and the caller may see it. */
@Resolver(() => EscalationRef)
export class EscalationPanelResolver {
  @FieldResolver(() => ResolutionPanel, { nullable: true })
  async panel(
    @Root() escalation: EscalationRef,
    @Ctx() ctx: PanelsContext,
  ): Promise<ResolutionPanel | null> {
    const actor = ctx.actor;
    // The gateway only reaches here through an escalation the caller may see; still, analysts see none.
    if (actor.kind !== 'practitioner' || !actor.agencyId || !actor.boardId) return null;
    const panel = await ctx.loaders.panelByEscalation.load(escalation.id);
    if (!panel || !(await seesPanel(ctx, actor as CaseworkActor, panel))) return null;
    await ctx.loaders.auditPanelRead.load(panel.id);
    return panel;
  }
}
