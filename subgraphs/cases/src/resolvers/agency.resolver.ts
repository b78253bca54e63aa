import { NotFoundError, recordEvent } from '@hub/kit';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { assertAdmin, assertSeesBoard } from '../access.js';
import type { CasesContext } from '../context.js';
import { Agency } from '../entities/agency.entity.js';
import { Board } from '../entities/board.entity.js';
import { CreateAgencyInput } from '../inputs/create-agency.input.js';
import { visibleBoard } from './board.resolver.js';

@Resolver(() => Agency)
export class AgencyResolver {
  @Query(() => Agency, { nullable: true })
  async agency(@Arg('id', () => ID) id: string, @Ctx() ctx: CasesContext): Promise<Agency | null> {
    const agency = await ctx.loaders.agency.load(id);
    if (!agency) throw new NotFoundError('agency', id);
    assertSeesBoard(ctx.actor, agency.boardId, 'agency', id);
    return agency;
  }

  @Mutation(() => Agency)
  async createAgency(
    @Arg('input') input: CreateAgencyInput,
    @Ctx() ctx: CasesContext,
  ): Promise<Agency> {
    assertAdmin(ctx.actor);
    await visibleBoard(ctx, input.boardId);
    const agency = await ctx.em.transactional(async (em) => {
      const agency = em.create(Agency, {
        boardId: input.boardId,
        name: input.name.trim(),
        kind: input.kind,
      });
      await recordEvent(em, 'AgencyCreated', agency.id, {
        agencyId: agency.id,
        boardId: agency.boardId,
        kind: agency.kind,
      });
      await ctx.audit(
        { action: 'agency.create', entityType: 'Agency', entityIds: [agency.id] },
        em,
      );
      return agency;
    });
    ctx.changed();
    return agency;
  }

  @FieldResolver(() => Board)
  async board(@Root() agency: Agency, @Ctx() { loaders }: CasesContext): Promise<Board> {
    const board = await loaders.board.load(agency.boardId);
    if (!board) throw new Error(`agency ${agency.id} names a missing board`);
    return board;
  }
}
