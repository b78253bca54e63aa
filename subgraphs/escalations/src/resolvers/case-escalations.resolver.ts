import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { seesEscalation, sitsOnPanel } from '../access.js';
import type { EscalationsContext } from '../context.js';
import { Escalation } from '../entities/escalation.entity.js';
import { CaseRef } from '../types/references.type.js';

@Resolver(() => CaseRef)
export class CaseEscalationsResolver {
  @FieldResolver(() => [Escalation], {
    description: 'Escalations about this case that the caller may see, newest first.',
  })
  async escalations(
    @Root() theCase: CaseRef,
    @Ctx() ctx: EscalationsContext,
  ): Promise<Escalation[]> {
    const actor = ctx.actor;
    // The gateway only reaches here through a Case the caller may see; still, analysts see none.
    if (actor.kind !== 'practitioner' || !actor.agencyId) return [];
    const all = await ctx.loaders.escalationsByCase.load(theCase.id);
    const seen = await Promise.all(
      all.map(
        async (escalation) =>
          seesEscalation(actor as never, escalation) || (await sitsOnPanel(ctx, escalation.id)),
      ),
    );
    const visible = all.filter((_, i) => seen[i]);
    await Promise.all(
      visible.map((escalation) => ctx.loaders.auditEscalationRead.load(escalation.id)),
    );
    return visible;
  }
}
