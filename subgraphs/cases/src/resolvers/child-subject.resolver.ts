import { LocalDate } from '@hub/kit';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { CasesContext } from '../context.js';
import { ChildSubject } from '../entities/child-subject.entity.js';
import { ExternalIdentifier } from '../types/external-identifier.type.js';

/**
 * The child's details, field by field: each is shown only to a caller whose agency is involved
 * in one of this child's cases. A board manager sees that a case has a child, not who it is,
 * unless their own agency is involved.
 */
@Resolver(() => ChildSubject)
export class ChildSubjectResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: "Null unless the caller's agency is involved in a case of this child.",
  })
  async name(@Root() child: ChildSubject, @Ctx() ctx: CasesContext): Promise<string | null> {
    return (await entitled(child, ctx)) ? child.name : null;
  }

  @FieldResolver(() => LocalDate, {
    nullable: true,
    description: "Null unless the caller's agency is involved in a case of this child.",
  })
  async dateOfBirth(@Root() child: ChildSubject, @Ctx() ctx: CasesContext): Promise<string | null> {
    return (await entitled(child, ctx)) ? child.dateOfBirth : null;
  }

  @FieldResolver(() => [ExternalIdentifier], {
    description: "Empty unless the caller's agency is involved in a case of this child.",
  })
  async identifiers(
    @Root() child: ChildSubject,
    @Ctx() ctx: CasesContext,
  ): Promise<ExternalIdentifier[]> {
    if (!(await entitled(child, ctx))) return [];
    const rows = await ctx.loaders.identifiers.load(child.id);
    return rows.map(({ system, value }) => ({ system, value }));
  }
}

async function entitled(child: ChildSubject, ctx: CasesContext): Promise<boolean> {
  const agencyId = ctx.actor.agencyId;
  if (ctx.actor.kind !== 'practitioner' || !agencyId) return false;
  const involved = await ctx.loaders.childAgencies.load(child.id);
  return involved?.agencyIds.has(agencyId) ?? false;
}
