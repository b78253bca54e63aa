import { assertCasework, NotFoundError, recordEvent } from '@hub/kit';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { actsOnEscalation } from '../access.js';
import { afterChange, type LearningContext } from '../context.js';
import { Debrief } from '../entities/debrief.entity.js';
import { EscalationTagging } from '../entities/escalation-tagging.entity.js';
import { EscalationTheme } from '../entities/escalation-theme.entity.js';
import { LearningTheme } from '../entities/learning-theme.entity.js';
import type { EscalationFact } from '../facts/escalations-facts.js';
import { activeThemes } from '../themes.js';
import { EscalationRef, ref } from '../types/references.type.js';

/** Escalation.themes and Escalation.debrief, and tagging an escalation with themes. */
@Resolver(() => EscalationRef)
export class EscalationLearningResolver {
  /** The gateway reaches these only through an escalation the caller may see. */
  @FieldResolver(() => [LearningTheme])
  async themes(
    @Root() escalation: EscalationRef,
    @Ctx() ctx: LearningContext,
  ): Promise<LearningTheme[]> {
    const tags = await ctx.loaders.escalationThemes.load(escalation.id);
    const themes = await ctx.loaders.themeByCode.loadMany(tags.map((tag) => tag.themeCode));
    return themes.filter((theme): theme is LearningTheme => theme instanceof LearningTheme);
  }

  /** The debrief, for its board's manager and the two agencies; null for anyone else. */
  @FieldResolver(() => Debrief, { nullable: true })
  async debrief(
    @Root() escalation: EscalationRef,
    @Ctx() ctx: LearningContext,
  ): Promise<Debrief | null> {
    const debrief = await ctx.loaders.debriefByEscalation.load(escalation.id);
    if (!debrief) return null;
    const fact = await ctx.escalationFacts.escalation.load(escalation.id);
    if (!fact || !actsOnEscalation(ctx.actor, fact)) return null;
    await ctx.loaders.auditDebriefRead.load(debrief.id);
    return debrief;
  }

  /**
   * Sets the escalation's themes to exactly these (an empty list clears them). By the board
   * manager or a practitioner of either agency, whatever the escalation's status: learning is
   * often tagged after the outcome.
   */
  @Mutation(() => EscalationRef)
  async tagEscalation(
    @Arg('escalationId', () => ID) escalationId: string,
    @Arg('themeCodes', () => [String]) themeCodes: string[],
    @Ctx() ctx: LearningContext,
  ): Promise<EscalationRef> {
    const escalation = await visibleEscalation(ctx, escalationId, 'escalationId');
    const themes = await activeThemes(ctx, themeCodes, 'themeCodes');
    await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      // The revision orders tag events, so the read model keeps the latest set in any order.
      const tagging = await tx.findOne(EscalationTagging, { escalationId });
      const revision = (tagging?.revision ?? 0) + 1;
      if (tagging) {
        const claimed = await tx.nativeUpdate(
          EscalationTagging,
          { escalationId, revision: tagging.revision },
          { revision },
        );
        if (claimed !== 1) throw new Error('escalation themes changed meanwhile; try again');
      } else tx.create(EscalationTagging, { escalationId, revision });
      await tx.nativeDelete(EscalationTheme, { escalationId });
      for (const theme of themes) {
        tx.create(EscalationTheme, {
          escalationId,
          themeCode: theme.code,
          boardId: escalation.boardId,
          taggedById: ctx.actor.id,
          taggedAt: now,
        });
      }
      await recordEvent(tx, 'EscalationTagged', escalationId, {
        escalationId,
        boardId: escalation.boardId,
        category: escalation.category,
        raisingAgencyKind: escalation.raisingAgencyKind,
        respondingAgencyKind: escalation.respondingAgencyKind,
        raisedAt: escalation.raisedAt,
        themeCodes: themes.map((theme) => theme.code),
        themeMask: themes.reduce((mask, theme) => mask | (1 << theme.bit), 0),
        revision,
        taggedAt: now.toISOString(),
      });
      await ctx.audit(
        { action: 'escalation.tag', entityType: 'Escalation', entityIds: [escalationId] },
        tx,
      );
    });
    afterChange(ctx);
    return ref(escalationId);
  }
}

/**
 * The escalation's facts, when the caller may act on it; otherwise NOT_FOUND exactly as for an
 * id that does not exist.
 */
export async function visibleEscalation(
  ctx: LearningContext,
  id: string,
  field: string,
): Promise<EscalationFact> {
  assertCasework(ctx.actor);
  const fact = await ctx.escalationFacts.escalation.load(id);
  if (!fact || !actsOnEscalation(ctx.actor, fact)) throw new NotFoundError('escalation', id, field);
  return fact;
}
