import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  recordEvent,
  violatedUniqueKey,
} from '@hub/kit';
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { afterChange, type LearningContext } from '../context.js';
import { Debrief } from '../entities/debrief.entity.js';
import { RecordDebriefInput } from '../inputs/record-debrief.input.js';
import { EscalationRef, PractitionerRef, ref } from '../types/references.type.js';
import { visibleEscalation } from './escalation-learning.resolver.js';

@Resolver(() => Debrief)
export class DebriefResolver {
  @FieldResolver(() => EscalationRef)
  escalation(@Root() debrief: Debrief): EscalationRef {
    return ref(debrief.escalationId);
  }

  @FieldResolver(() => [PractitionerRef])
  attendees(@Root() debrief: Debrief): PractitionerRef[] {
    return debrief.attendeeIds.map(ref);
  }

  /**
   * The debrief of a resolved or closed escalation, by its board manager or a practitioner of
   * either agency; attendees are practitioners of the board. One per escalation, never changed.
   */
  @Mutation(() => Debrief)
  async recordDebrief(
    @Arg('input') input: RecordDebriefInput,
    @Ctx() ctx: LearningContext,
  ): Promise<Debrief> {
    const escalation = await visibleEscalation(ctx, input.escalationId, 'input.escalationId');
    if (escalation.status !== 'RESOLVED' && escalation.status !== 'CLOSED') {
      throw new ConflictError(
        `The escalation is ${escalation.status}: a debrief is recorded once it is resolved or closed.`,
      );
    }
    const now = ctx.now();
    if (input.heldAt.getTime() > now.getTime())
      throw new BadUserInputError('input.heldAt', 'must not be in the future');
    if (input.heldAt.getTime() < new Date(escalation.raisedAt).getTime())
      throw new BadUserInputError('input.heldAt', 'must not be before the escalation was raised');
    const attendeeIds = [...new Set(input.attendeeIds)];
    const attendees = await ctx.facts.practitioner.loadMany(attendeeIds);
    attendees.forEach((attendee, i) => {
      if (!attendee || attendee instanceof Error || attendee.boardId !== escalation.boardId) {
        const field = `input.attendeeIds.${input.attendeeIds.indexOf(attendeeIds[i]!)}`;
        throw new NotFoundError('practitioner of the board', attendeeIds[i]!, field);
      }
    });
    if (await ctx.loaders.debriefByEscalation.load(escalation.id))
      throw new ConflictError('The escalation already has its debrief: it is recorded once.');
    let debrief: Debrief;
    try {
      debrief = await ctx.em.transactional(async (tx) => {
        const debrief = tx.create(Debrief, {
          escalationId: escalation.id,
          boardId: escalation.boardId,
          heldAt: input.heldAt,
          notes: input.notes.trim(),
          lessons: input.lessons.map((lesson) => lesson.trim()),
          attendeeIds,
          recordedById: ctx.actor.id,
          recordedAt: now,
        });
        await recordEvent(tx, 'DebriefRecorded', escalation.id, {
          debriefId: debrief.id,
          escalationId: escalation.id,
          boardId: escalation.boardId,
          attendeeCount: attendeeIds.length,
          lessonCount: debrief.lessons.length,
          recordedAt: now.toISOString(),
        });
        await ctx.audit(
          {
            action: 'debrief.record',
            entityType: 'Debrief',
            entityIds: [debrief.id, escalation.id],
          },
          tx,
        );
        return debrief;
      });
    } catch (error) {
      // Two recorded at once: the unique key keeps the first.
      if (violatedUniqueKey(error))
        throw new ConflictError('The escalation already has its debrief: it is recorded once.');
      throw error;
    }
    afterChange(ctx);
    return debrief;
  }
}
