import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { EscalationsContext } from '../context.js';
import { AgreedOutcome } from '../entities/agreed-outcome.entity.js';
import { EscalationRecord } from '../entities/escalation-record.entity.js';
import { EscalationStage } from '../entities/escalation-stage.entity.js';
import { OutcomeConfirmation } from '../entities/outcome-confirmation.entity.js';
import { OutstandingIssue } from '../entities/outstanding-issue.entity.js';
import { AgencyRef, PractitionerRef, ref } from '../types/references.type.js';

@Resolver(() => EscalationStage)
export class EscalationStageResolver {
  @FieldResolver(() => Boolean, {
    description: 'Not completed and past dueAt, or completed after dueAt.',
  })
  overdue(@Root() stage: EscalationStage, @Ctx() ctx: EscalationsContext): boolean {
    return stage.isOverdue(ctx.now());
  }
}

@Resolver(() => EscalationRecord)
export class EscalationRecordResolver {
  @FieldResolver(() => PractitionerRef)
  author(@Root() record: EscalationRecord): PractitionerRef {
    return ref(record.authorId);
  }

  @FieldResolver(() => [PractitionerRef], {
    description:
      'Who the record is shared with; always includes the practitioner who raised the concern.',
  })
  sharedWith(@Root() record: EscalationRecord): PractitionerRef[] {
    return record.sharedWithIds.map(ref);
  }
}

@Resolver(() => AgreedOutcome)
export class AgreedOutcomeResolver {
  @FieldResolver(() => [OutstandingIssue], {
    description: 'How any outstanding issues will be pursued.',
  })
  outstandingIssues(
    @Root() outcome: AgreedOutcome,
    @Ctx() ctx: EscalationsContext,
  ): Promise<OutstandingIssue[]> {
    return ctx.loaders.issues.load(outcome.escalationId);
  }

  @FieldResolver(() => [OutcomeConfirmation])
  confirmations(
    @Root() outcome: AgreedOutcome,
    @Ctx() ctx: EscalationsContext,
  ): Promise<OutcomeConfirmation[]> {
    return ctx.loaders.confirmations.load(outcome.escalationId);
  }

  @FieldResolver(() => Boolean, {
    description: 'Both the raising and the responding agency confirmed in writing.',
  })
  async confirmedByAllParties(
    @Root() outcome: AgreedOutcome,
    @Ctx() ctx: EscalationsContext,
  ): Promise<boolean> {
    const [escalation, confirmations] = await Promise.all([
      ctx.loaders.escalation.load(outcome.escalationId),
      ctx.loaders.confirmations.load(outcome.escalationId),
    ]);
    if (!escalation) return false;
    const confirmed = new Set(confirmations.map((c) => c.agencyId));
    return (
      confirmed.has(escalation.raisingAgencyId) && confirmed.has(escalation.respondingAgencyId)
    );
  }
}

@Resolver(() => OutstandingIssue)
export class OutstandingIssueResolver {
  @FieldResolver(() => AgencyRef)
  ownerAgency(@Root() issue: OutstandingIssue): AgencyRef {
    return ref(issue.ownerAgencyId);
  }

  @FieldResolver(() => Boolean)
  async done(@Root() issue: OutstandingIssue, @Ctx() ctx: EscalationsContext): Promise<boolean> {
    return (await ctx.loaders.completion.load(issue.id)) !== null;
  }
}

@Resolver(() => OutcomeConfirmation)
export class OutcomeConfirmationResolver {
  @FieldResolver(() => PractitionerRef)
  practitioner(@Root() confirmation: OutcomeConfirmation): PractitionerRef {
    return ref(confirmation.practitionerId);
  }

  @FieldResolver(() => AgencyRef)
  agency(@Root() confirmation: OutcomeConfirmation): AgencyRef {
    return ref(confirmation.agencyId);
  }
}
