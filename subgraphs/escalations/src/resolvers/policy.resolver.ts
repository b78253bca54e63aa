import {
  ConflictError,
  ForbiddenError,
  isBoardManagerOf,
  NotFoundError,
  recordEvent,
} from '@hub/kit';
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { afterChange, type EscalationsContext } from '../context.js';
import { EscalationPolicyVersion } from '../entities/escalation-policy.entity.js';
import { UpdateEscalationPolicyInput } from '../inputs/update-escalation-policy.input.js';
import { currentPolicy, toPolicyType, validateStages } from '../policy/policy.service.js';
import { EscalationPolicy } from '../types/escalation-policy.type.js';
import { BoardRef, ref } from '../types/references.type.js';

@Resolver(() => BoardRef)
export class BoardPolicyResolver {
  @FieldResolver(() => EscalationPolicy)
  async escalationPolicy(
    @Root() board: BoardRef,
    @Ctx() ctx: EscalationsContext,
  ): Promise<EscalationPolicy> {
    return toPolicyType(await currentPolicy(ctx.em, board.id, ctx.now()));
  }
}

@Resolver(() => EscalationPolicy)
export class EscalationPolicyResolver {
  @FieldResolver(() => BoardRef)
  board(@Root() policy: EscalationPolicy): BoardRef {
    return ref(policy.boardId);
  }

  @Mutation(() => EscalationPolicy)
  async updateEscalationPolicy(
    @Arg('input') input: UpdateEscalationPolicyInput,
    @Ctx() ctx: EscalationsContext,
  ): Promise<EscalationPolicy> {
    const board = await ctx.facts.board.load(input.boardId);
    if (!board || (ctx.actor.boardId !== board.id && ctx.actor.kind !== 'admin')) {
      throw new NotFoundError('board', input.boardId, 'input.boardId');
    }
    if (!isBoardManagerOf(ctx.actor, board.id)) {
      throw new ForbiddenError("Only the board's BOARD_MANAGER changes its escalation policy.");
    }
    const stages = validateStages(input.stages);
    const now = ctx.now();
    const current = await currentPolicy(ctx.em, board.id, now);
    if (current.version !== input.expectedVersion) {
      throw new ConflictError(
        `expectedVersion ${input.expectedVersion} is stale: the policy is at version ${current.version}. Reload it and try again.`,
      );
    }
    const next = await ctx.em
      .transactional(async (tx) => {
        // The unique (board, version) key makes a concurrent update with the same expectedVersion fail.
        const next = tx.create(EscalationPolicyVersion, {
          boardId: board.id,
          version: current.version + 1,
          stages,
          panelAgencyCount: input.panelAgencyCount,
          updatedAt: now,
          updatedBy: ctx.actor.id,
        });
        await recordEvent(tx, 'EscalationPolicyChanged', board.id, {
          boardId: board.id,
          version: next.version,
          stageCount: stages.length,
          resolutionPanel: stages.some((stage) => stage.resolutionPanel),
        });
        await ctx.audit(
          { action: 'policy.update', entityType: 'EscalationPolicy', entityIds: [board.id] },
          tx,
        );
        return next;
      })
      .catch((error: unknown) => {
        if ((error as { name?: string }).name === 'UniqueConstraintViolationException') {
          throw new ConflictError(
            'The policy changed at the same moment: reload it and try again.',
          );
        }
        throw error;
      });
    afterChange(ctx);
    return toPolicyType(next);
  }
}
