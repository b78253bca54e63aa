import { NotFoundError, recordEvent } from '@hub/kit';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { assertAdmin, assertSeesBoard, isAdmin } from '../access.js';
import type { CasesContext } from '../context.js';
import { Agency } from '../entities/agency.entity.js';
import { Board } from '../entities/board.entity.js';
import { CreateBoardInput } from '../inputs/create-board.input.js';

@Resolver(() => Board)
export class BoardResolver {
  @Query(() => [Board])
  async boards(@Ctx() { em, actor }: CasesContext): Promise<Board[]> {
    if (isAdmin(actor)) return em.find(Board, {}, { orderBy: { name: 'asc' } });
    return actor.boardId ? em.find(Board, { id: actor.boardId }) : [];
  }

  @Query(() => Board, { nullable: true })
  async board(@Arg('id', () => ID) id: string, @Ctx() ctx: CasesContext): Promise<Board | null> {
    const board = await ctx.loaders.board.load(id);
    if (!board) throw new NotFoundError('board', id);
    assertSeesBoard(ctx.actor, board.id, 'board', id);
    return board;
  }

  @Mutation(() => Board)
  async createBoard(
    @Arg('input') input: CreateBoardInput,
    @Ctx() ctx: CasesContext,
  ): Promise<Board> {
    assertAdmin(ctx.actor);
    const board = await ctx.em.transactional(async (em) => {
      const board = em.create(Board, {
        name: input.name.trim(),
        region: input.region,
        disclosureThreshold: input.disclosureThreshold ?? 5,
      });
      await recordEvent(em, 'BoardCreated', board.id, { boardId: board.id, region: board.region });
      await ctx.audit({ action: 'board.create', entityType: 'Board', entityIds: [board.id] }, em);
      return board;
    });
    ctx.changed();
    return board;
  }

  @FieldResolver(() => [Agency])
  agencies(@Root() board: Board, @Ctx() { loaders }: CasesContext): Promise<Agency[]> {
    return loaders.agenciesByBoard.load(board.id);
  }
}

/** Loads a board the caller may see, or fails with NOT_FOUND naming the input field's id. */
export async function visibleBoard(ctx: CasesContext, id: string): Promise<Board> {
  const board = await ctx.loaders.board.load(id);
  if (!board) throw new NotFoundError('board', id);
  assertSeesBoard(ctx.actor, board.id, 'board', id);
  return board;
}
