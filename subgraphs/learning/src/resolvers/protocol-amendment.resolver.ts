import {
  assertCasework,
  ConflictError,
  ForbiddenError,
  hasRole,
  isBoardManagerOf,
  NotFoundError,
  recordEvent,
} from '@hub/kit';
import { Role } from '@hub/schema';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { afterChange, type LearningContext } from '../context.js';
import { AmendmentEvidence } from '../entities/amendment-evidence.entity.js';
import { LearningTheme } from '../entities/learning-theme.entity.js';
import { ProtocolAmendment } from '../entities/protocol-amendment.entity.js';
import { AMENDMENT_TRANSITIONS, AmendmentStatus } from '../enums.js';
import { ProposeAmendmentInput } from '../inputs/propose-amendment.input.js';
import { activeThemes } from '../themes.js';
import { BoardRef, PractitionerRef, ref } from '../types/references.type.js';

const BOARD_MANAGERS_ONLY =
  "Only a BOARD_MANAGER of the board proposes and decides changes to the board's protocols.";

@Resolver(() => ProtocolAmendment)
export class ProtocolAmendmentResolver {
  @FieldResolver(() => BoardRef)
  board(@Root() amendment: ProtocolAmendment): BoardRef {
    return ref(amendment.boardId);
  }

  @FieldResolver(() => PractitionerRef)
  proposedBy(@Root() amendment: ProtocolAmendment): PractitionerRef {
    return ref(amendment.proposedById);
  }

  @FieldResolver(() => [LearningTheme])
  async themes(
    @Root() amendment: ProtocolAmendment,
    @Ctx() ctx: LearningContext,
  ): Promise<LearningTheme[]> {
    const themes = await ctx.loaders.themeByCode.loadMany(amendment.themeCodes);
    return themes.filter((theme): theme is LearningTheme => theme instanceof LearningTheme);
  }

  /**
   * The board's amendments, newest first, for anyone of the board (they are its protocols and
   * say nothing about a case); analysts included, administrators and other boards not.
   */
  @Query(() => [ProtocolAmendment])
  async protocolAmendments(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('status', () => AmendmentStatus, { nullable: true }) status: AmendmentStatus | null,
    @Ctx() ctx: LearningContext,
  ): Promise<ProtocolAmendment[]> {
    const actor = ctx.actor;
    if (actor.kind !== 'practitioner' || actor.boardId !== boardId || hasRole(actor, Role.ADMIN))
      throw new ForbiddenError("A board's protocol amendments are for the people of that board.");
    return ctx.em.find(
      ProtocolAmendment,
      { boardId, ...(status && { status }) },
      { orderBy: { proposedAt: 'desc', id: 'asc' } },
    );
  }

  @Mutation(() => ProtocolAmendment)
  async proposeProtocolAmendment(
    @Arg('input') input: ProposeAmendmentInput,
    @Ctx() ctx: LearningContext,
  ): Promise<ProtocolAmendment> {
    assertCasework(ctx.actor);
    if (!isBoardManagerOf(ctx.actor, input.boardId)) throw new ForbiddenError(BOARD_MANAGERS_ONLY);
    const themes = await activeThemes(ctx, input.themeCodes, 'input.themeCodes');
    const evidence = [...new Set(input.evidenceEscalationIds)];
    const facts = await ctx.escalationFacts.escalation.loadMany(evidence);
    facts.forEach((fact, i) => {
      if (!fact || fact instanceof Error || fact.boardId !== input.boardId) {
        const field = `input.evidenceEscalationIds.${input.evidenceEscalationIds.indexOf(evidence[i]!)}`;
        throw new NotFoundError('escalation of the board', evidence[i]!, field);
      }
    });
    const amendment = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const amendment = tx.create(ProtocolAmendment, {
        boardId: input.boardId,
        title: input.title.trim(),
        rationale: input.rationale.trim(),
        themeCodes: themes.map((theme) => theme.code),
        status: AmendmentStatus.PROPOSED,
        proposedById: ctx.actor.id,
        proposedAt: now,
        evidenceCount: evidence.length,
      });
      // The evidence rows' foreign key needs the amendment written first, and the entities
      // declare no relation the unit of work could order the inserts by.
      await tx.flush();
      for (const escalationId of evidence)
        tx.create(AmendmentEvidence, { amendmentId: amendment.id, escalationId });
      await recordEvent(tx, 'ProtocolAmendmentProposed', amendment.id, amendmentFacts(amendment));
      await ctx.audit(
        {
          action: 'amendment.propose',
          entityType: 'ProtocolAmendment',
          entityIds: [amendment.id],
        },
        tx,
      );
      return amendment;
    });
    afterChange(ctx);
    return amendment;
  }

  /** PROPOSED → ACCEPTED or REJECTED; ACCEPTED → IMPLEMENTED. Never back, never twice. */
  @Mutation(() => ProtocolAmendment)
  async decideProtocolAmendment(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => AmendmentStatus) status: AmendmentStatus,
    @Ctx() ctx: LearningContext,
  ): Promise<ProtocolAmendment> {
    assertCasework(ctx.actor);
    const current = await ctx.loaders.amendment.load(id);
    if (!current || current.boardId !== ctx.actor.boardId)
      throw new NotFoundError('protocol amendment', id, 'id');
    if (!isBoardManagerOf(ctx.actor, current.boardId))
      throw new ForbiddenError(BOARD_MANAGERS_ONLY);
    if (!AMENDMENT_TRANSITIONS[current.status].includes(status)) {
      const next = AMENDMENT_TRANSITIONS[current.status];
      throw new ConflictError(
        `The amendment is ${current.status}: ${
          next.length ? `it may move only to ${next.join(' or ')}` : 'its status is final'
        }.`,
      );
    }
    const amendment = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const change =
        status === AmendmentStatus.IMPLEMENTED
          ? { status, implementedById: ctx.actor.id, implementedAt: now }
          : { status, decidedById: ctx.actor.id, decidedAt: now };
      // Compare-and-set on the status read: of two decisions at once, the second finds it moved.
      const claimed = await tx.nativeUpdate(
        ProtocolAmendment,
        { id, status: current.status },
        change,
      );
      if (claimed !== 1)
        throw new ConflictError('The amendment was decided meanwhile: reload it and try again.');
      const amendment = await tx.findOneOrFail(ProtocolAmendment, { id }, { refresh: true });
      await recordEvent(tx, 'ProtocolAmendmentDecided', id, amendmentFacts(amendment));
      await ctx.audit(
        {
          action: `amendment.${status.toLowerCase()}`,
          entityType: 'ProtocolAmendment',
          entityIds: [id],
        },
        tx,
      );
      return amendment;
    });
    afterChange(ctx);
    return amendment;
  }
}

function amendmentFacts(amendment: ProtocolAmendment): Record<string, unknown> {
  return {
    amendmentId: amendment.id,
    boardId: amendment.boardId,
    status: amendment.status,
    themeCodes: amendment.themeCodes,
    evidenceCount: amendment.evidenceCount,
  };
}
