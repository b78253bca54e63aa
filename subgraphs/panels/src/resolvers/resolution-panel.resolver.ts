import { assertCasework, isBoardManagerOf, NotFoundError } from '@hub/kit';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { loadVisiblePanel } from '../access.js';
import type { PanelsContext } from '../context.js';
import { PanelDecision } from '../entities/panel-decision.entity.js';
import { PanelMember } from '../entities/panel-member.entity.js';
import { Representation } from '../entities/representation.entity.js';
import { ResolutionPanel } from '../entities/resolution-panel.entity.js';
import { PanelStatus } from '../enums.js';
import { BoardRef, EscalationRef, PractitionerRef, ref } from '../types/references.type.js';

@Resolver(() => ResolutionPanel)
export class ResolutionPanelResolver {
  @Query(() => ResolutionPanel, { nullable: true })
  resolutionPanel(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: PanelsContext,
  ): Promise<ResolutionPanel> {
    return loadVisiblePanel(ctx, id);
  }

  /** The board's panels the caller may see, newest first. */
  @Query(() => [ResolutionPanel])
  async resolutionPanels(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('status', () => PanelStatus, { nullable: true }) status: PanelStatus | null,
    @Ctx() ctx: PanelsContext,
  ): Promise<ResolutionPanel[]> {
    const actor = ctx.actor;
    assertCasework(actor);
    if (actor.boardId !== boardId) throw new NotFoundError('board', boardId, 'boardId');
    const where: Record<string, unknown> = { boardId };
    if (status) where.status = status;
    if (!isBoardManagerOf(actor, boardId)) {
      const seats = await ctx.em.find(PanelMember, { practitionerId: actor.id });
      where.$or = [
        { raisingAgencyId: actor.agencyId },
        { respondingAgencyId: actor.agencyId },
        { id: { $in: seats.map((seat) => seat.panelId) } },
      ];
    }
    const panels = await ctx.em.find(ResolutionPanel, where, {
      orderBy: { convenedAt: 'desc', id: 'desc' },
    });
    await Promise.all(panels.map((panel) => ctx.loaders.auditPanelRead.load(panel.id)));
    return panels;
  }

  @FieldResolver(() => EscalationRef)
  escalation(@Root() panel: ResolutionPanel): EscalationRef {
    return ref(panel.escalationId);
  }

  @FieldResolver(() => BoardRef)
  board(@Root() panel: ResolutionPanel): BoardRef {
    return ref(panel.boardId);
  }

  @FieldResolver(() => PractitionerRef)
  convenedBy(@Root() panel: ResolutionPanel): PractitionerRef {
    return ref(panel.convenedById);
  }

  @FieldResolver(() => [PanelMember], { description: 'The chair first.' })
  members(@Root() panel: ResolutionPanel, @Ctx() ctx: PanelsContext): Promise<PanelMember[]> {
    return ctx.loaders.members.load(panel.id);
  }

  @FieldResolver(() => [Representation], { description: 'Oldest first.' })
  representations(
    @Root() panel: ResolutionPanel,
    @Ctx() ctx: PanelsContext,
  ): Promise<Representation[]> {
    return ctx.loaders.representations.load(panel.id);
  }

  @FieldResolver(() => PanelDecision, { nullable: true })
  decision(
    @Root() panel: ResolutionPanel,
    @Ctx() ctx: PanelsContext,
  ): Promise<PanelDecision | null> {
    return ctx.loaders.decision.load(panel.id);
  }
}
