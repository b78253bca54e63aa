import { assertCasework, isBoardManagerOf, pageSize, parseTimeCursor, toPage } from '@hub/kit';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { loadVisibleEscalation } from '../access.js';
import type { EscalationsContext } from '../context.js';
import { AgreedOutcome } from '../entities/agreed-outcome.entity.js';
import { EscalationRecord } from '../entities/escalation-record.entity.js';
import { EscalationStage } from '../entities/escalation-stage.entity.js';
import { Escalation } from '../entities/escalation.entity.js';
import { PanelSeat } from '../entities/panel-seat.entity.js';
import { EscalationStatus } from '../enums.js';
import { EscalationFilter } from '../inputs/escalation-filter.input.js';
import { EscalationConnection } from '../types/escalation-connection.type.js';
import { AgencyRef, BoardRef, CaseRef, PractitionerRef, ref } from '../types/references.type.js';

@Resolver(() => Escalation)
export class EscalationResolver {
  @Query(() => Escalation, { nullable: true })
  escalation(@Arg('id', () => ID) id: string, @Ctx() ctx: EscalationsContext): Promise<Escalation> {
    return loadVisibleEscalation(ctx, id);
  }

  @Query(() => EscalationConnection, {
    description: 'Escalations the caller may see, newest first.',
  })
  async escalations(
    @Arg('filter', () => EscalationFilter, { nullable: true }) filter: EscalationFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: EscalationsContext,
  ): Promise<EscalationConnection> {
    const actor = ctx.actor;
    assertCasework(actor);
    const size = pageSize(first);
    const cursor = after ? parseTimeCursor(after) : null;
    // Members of a resolution panel see its escalation too.
    const seats = isBoardManagerOf(actor, actor.boardId)
      ? []
      : await ctx.em.find(PanelSeat, { practitionerId: actor.id });
    const query = () => {
      const qb = ctx.em.createQueryBuilder(Escalation, 'e').where({ boardId: actor.boardId });
      if (!isBoardManagerOf(actor, actor.boardId)) {
        qb.andWhere({
          $or: [
            { raisingAgencyId: actor.agencyId },
            { respondingAgencyId: actor.agencyId },
            ...(seats.length ? [{ id: { $in: seats.map((seat) => seat.escalationId) } }] : []),
          ],
        });
      }
      if (filter?.boardId) qb.andWhere({ boardId: filter.boardId });
      if (filter?.caseId) qb.andWhere({ caseId: filter.caseId });
      if (filter?.agencyId) {
        qb.andWhere({
          $or: [{ raisingAgencyId: filter.agencyId }, { respondingAgencyId: filter.agencyId }],
        });
      }
      if (filter?.status?.length) qb.andWhere({ status: { $in: filter.status } });
      if (filter?.category?.length) qb.andWhere({ category: { $in: filter.category } });
      if (filter?.overdue === true) {
        qb.andWhere({ status: EscalationStatus.OPEN, currentStageDueAt: { $lt: ctx.now() } });
      } else if (filter?.overdue === false) {
        qb.andWhere({
          $or: [
            { status: { $ne: EscalationStatus.OPEN } },
            { currentStageDueAt: { $gte: ctx.now() } },
          ],
        });
      }
      if (filter?.raisedFrom) qb.andWhere({ raisedAt: { $gte: filter.raisedFrom } });
      if (filter?.raisedTo) qb.andWhere({ raisedAt: { $lte: filter.raisedTo } });
      return qb;
    };
    const totalCount = await query().getCount();
    const pageQuery = query();
    if (cursor) {
      pageQuery.andWhere({
        $or: [{ raisedAt: { $lt: cursor.at } }, { raisedAt: cursor.at, id: { $lt: cursor.id } }],
      });
    }
    const rows = await pageQuery
      .orderBy({ raisedAt: 'desc', id: 'desc' })
      .limit(size + 1)
      .getResultList();
    const page = toPage(rows, size, (row) => row.raisedAt);
    await Promise.all(page.edges.map(({ node }) => ctx.loaders.auditEscalationRead.load(node.id)));
    return { ...page, totalCount };
  }

  @FieldResolver(() => CaseRef)
  case(@Root() escalation: Escalation): CaseRef {
    return ref(escalation.caseId);
  }

  @FieldResolver(() => BoardRef)
  board(@Root() escalation: Escalation): BoardRef {
    return ref(escalation.boardId);
  }

  @FieldResolver(() => PractitionerRef)
  raisedBy(@Root() escalation: Escalation): PractitionerRef {
    return ref(escalation.raisedById);
  }

  @FieldResolver(() => AgencyRef)
  raisingAgency(@Root() escalation: Escalation): AgencyRef {
    return ref(escalation.raisingAgencyId);
  }

  @FieldResolver(() => AgencyRef, {
    description:
      'The agency whose decision or inaction is challenged (may equal raisingAgency for disagreements within an agency).',
  })
  respondingAgency(@Root() escalation: Escalation): AgencyRef {
    return ref(escalation.respondingAgencyId);
  }

  @FieldResolver(() => PractitionerRef, { nullable: true })
  respondent(@Root() escalation: Escalation): PractitionerRef | null {
    return escalation.respondentId ? ref(escalation.respondentId) : null;
  }

  @FieldResolver(() => EscalationStage, {
    nullable: true,
    description: 'Null unless status is OPEN.',
  })
  async currentStage(
    @Root() escalation: Escalation,
    @Ctx() ctx: EscalationsContext,
  ): Promise<EscalationStage | null> {
    if (escalation.status !== EscalationStatus.OPEN) return null;
    const stages = await ctx.loaders.stages.load(escalation.id);
    return stages.find((stage) => stage.number === escalation.currentStageNumber) ?? null;
  }

  @FieldResolver(() => [EscalationStage], { description: 'Stages entered so far, oldest first.' })
  stages(
    @Root() escalation: Escalation,
    @Ctx() ctx: EscalationsContext,
  ): Promise<EscalationStage[]> {
    return ctx.loaders.stages.load(escalation.id);
  }

  @FieldResolver(() => [EscalationRecord], { description: 'The written record, oldest first.' })
  records(
    @Root() escalation: Escalation,
    @Ctx() ctx: EscalationsContext,
  ): Promise<EscalationRecord[]> {
    return ctx.loaders.records.load(escalation.id);
  }

  @FieldResolver(() => AgreedOutcome, { nullable: true })
  outcome(
    @Root() escalation: Escalation,
    @Ctx() ctx: EscalationsContext,
  ): Promise<AgreedOutcome | null> {
    return ctx.loaders.outcome.load(escalation.id);
  }
}
