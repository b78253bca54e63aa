import {
  assertCasework,
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PolicyViolationError,
  recordEvent,
  type CaseworkActor,
} from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { loadVisibleEscalation, mayActAtStage } from '../access.js';
import { afterChange, type EscalationsContext } from '../context.js';
import { AgreedOutcome } from '../entities/agreed-outcome.entity.js';
import { EscalationRecord } from '../entities/escalation-record.entity.js';
import { EscalationStage } from '../entities/escalation-stage.entity.js';
import { Escalation } from '../entities/escalation.entity.js';
import { IssueCompletion } from '../entities/issue-completion.entity.js';
import { OutcomeConfirmation } from '../entities/outcome-confirmation.entity.js';
import { OutstandingIssue } from '../entities/outstanding-issue.entity.js';
import { EscalationStatus, RecordKind, StageResult, WORK_RECORD_KINDS } from '../enums.js';
import { claimVersion, eventFacts, workingDaysToOutcome } from '../escalation-state.js';
import {
  addEscalationRecordAs,
  enterStage,
  raiseEscalationAs,
  stageEvent,
  writeRecord,
  type EscalationDeps,
} from '../escalation.service.js';
import { AddEscalationRecordInput } from '../inputs/add-escalation-record.input.js';
import { EscalateInput } from '../inputs/escalate.input.js';
import { RaiseEscalationInput } from '../inputs/raise-escalation.input.js';
import { ResolveEscalationInput } from '../inputs/resolve-escalation.input.js';
import { markOverdue } from '../scheduler/overdue.scheduler.js';

const MAX_REASON = 2000;

/** Raising an escalation and moving it through its stages to a confirmed outcome. */
@Resolver(() => Escalation)
export class EscalationLifecycleResolver {
  @Mutation(() => Escalation)
  async raiseEscalation(
    @Arg('input') input: RaiseEscalationInput,
    @Ctx() ctx: EscalationsContext,
  ): Promise<Escalation> {
    const actor = ctx.actor;
    assertCasework(actor);
    const escalation = await raiseEscalationAs(depsOf(ctx), actor, input);
    afterChange(ctx);
    return escalation;
  }

  @Mutation(() => EscalationRecord)
  async addEscalationRecord(
    @Arg('input') input: AddEscalationRecordInput,
    @Ctx() ctx: EscalationsContext,
  ): Promise<EscalationRecord> {
    const escalation = await loadVisibleEscalation(ctx, input.escalationId, 'input.escalationId');
    const record = await addEscalationRecordAs(
      depsOf(ctx),
      ctx.actor as CaseworkActor,
      escalation,
      input,
    );
    afterChange(ctx);
    return record;
  }

  @Mutation(() => Escalation)
  async escalateEscalation(
    @Arg('input') input: EscalateInput,
    @Ctx() ctx: EscalationsContext,
  ): Promise<Escalation> {
    const escalation = await loadVisibleEscalation(ctx, input.escalationId, 'input.escalationId');
    const { policy, stage, definition } = await openStage(ctx, escalation, input.expectedVersion);
    if (!mayActAtStage(ctx.actor, escalation, definition)) {
      throw new ForbiddenError(
        `Only the raiser, or a ${definition.actingRoles.join(' / ')} of one of the two agencies, may escalate from stage ${stage.number}.`,
      );
    }
    if (stage.number >= policy.stages.length) {
      throw new PolicyViolationError(
        definition.resolutionPanel
          ? 'This is the resolution panel stage, the last one: the panel decides and its decision resolves the escalation.'
          : `Stage ${stage.number} is the last stage of the board's policy: its acting roles (${definition.actingRoles.join(', ')}) resolve it.`,
      );
    }
    if (!escalation.immediateRisk && !(await workedAt(ctx, escalation, stage.number))) {
      throw new PolicyViolationError(
        `Record at least one discussion, action or decision at stage ${stage.number} before escalating: disagreements are resolved at the lowest stage possible.`,
      );
    }
    const reason = input.reason.trim();
    const result = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const current = await claimVersion(tx, escalation.id, input.expectedVersion);
      const left = await completeStage(tx, current, StageResult.ESCALATED, now);
      await writeRecord(tx, current, {
        authorId: ctx.actor.id,
        kind: RecordKind.ESCALATED,
        stageNumber: left.number,
        text: reason,
        occurredAt: now,
      });
      const entered = await enterStage(tx, current, policy, left.number + 1, now, reason);
      current.currentStageNumber = entered.number;
      current.currentStageDueAt = entered.dueAt;
      await stageEvent(tx, 'StageCompleted', current, left);
      await stageEvent(tx, 'StageEntered', current, entered);
      await ctx.audit(
        { action: 'escalation.escalate', entityType: 'Escalation', entityIds: [current.id] },
        tx,
      );
      return current;
    });
    afterChange(ctx);
    return result;
  }

  @Mutation(() => Escalation)
  async resolveEscalation(
    @Arg('input') input: ResolveEscalationInput,
    @Ctx() ctx: EscalationsContext,
  ): Promise<Escalation> {
    const escalation = await loadVisibleEscalation(ctx, input.escalationId, 'input.escalationId');
    const { stage, definition } = await openStage(ctx, escalation, input.expectedVersion);
    if (definition.resolutionPanel) {
      throw new PolicyViolationError(
        'At the resolution panel stage the panel decides: its decision records the outcome and resolves the escalation.',
      );
    }
    if (!mayActAtStage(ctx.actor, escalation, definition)) {
      throw new ForbiddenError(
        `Only the raiser, or a ${definition.actingRoles.join(' / ')} of one of the two agencies, may record the outcome at stage ${stage.number}.`,
      );
    }
    // The outcome says what was agreed; the record must also say how it was reached at this
    // stage, by its participants (docs/decisions.md). Immediate risk is no reason to skip that.
    if (!(await workedAt(ctx, escalation, stage.number))) {
      throw new PolicyViolationError(
        `Record at least one discussion, action or decision at stage ${stage.number} before recording the outcome: the record shows how the agreement was reached at the stage that agreed it.`,
      );
    }
    const issues = input.outstandingIssues ?? [];
    const owners = await ctx.facts.agency.loadMany(issues.map((issue) => issue.ownerAgencyId));
    owners.forEach((owner, i) => {
      if (!owner || owner instanceof Error || owner.boardId !== escalation.boardId) {
        throw new NotFoundError(
          'agency on this board',
          issues[i].ownerAgencyId,
          `input.outstandingIssues.${i}.ownerAgencyId`,
        );
      }
    });
    const result = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const current = await claimVersion(tx, escalation.id, input.expectedVersion);
      const completed = await completeStage(tx, current, StageResult.RESOLVED, now);
      const summary = input.summary.trim();
      tx.create(AgreedOutcome, {
        escalationId: current.id,
        summary,
        agreedAt: now,
        agreedAtStage: completed.number,
        agreedById: ctx.actor.id,
      });
      for (const issue of issues) {
        tx.create(OutstandingIssue, {
          escalationId: current.id,
          description: issue.description.trim(),
          ownerAgencyId: issue.ownerAgencyId,
          dueDate: issue.dueDate ?? null,
          createdAt: now,
        });
      }
      await writeRecord(tx, current, {
        authorId: ctx.actor.id,
        kind: RecordKind.OUTCOME,
        stageNumber: completed.number,
        text: summary,
        occurredAt: now,
      });
      current.status = EscalationStatus.RESOLVED;
      current.currentStageNumber = null;
      current.currentStageDueAt = null;
      await stageEvent(tx, 'StageCompleted', current, completed);
      await recordEvent(tx, 'EscalationResolved', current.id, {
        ...eventFacts(current),
        stageNumber: completed.number,
        agreedAt: now.toISOString(),
        workingDaysToOutcome: workingDaysToOutcome(current, now),
        outstandingIssueCount: issues.length,
      });
      await ctx.audit(
        { action: 'escalation.resolve', entityType: 'Escalation', entityIds: [current.id] },
        tx,
      );
      return current;
    });
    afterChange(ctx);
    return result;
  }

  @Mutation(() => Escalation)
  async confirmOutcome(
    @Arg('escalationId', () => ID) escalationId: string,
    @Ctx() ctx: EscalationsContext,
  ): Promise<Escalation> {
    const escalation = await loadVisibleEscalation(ctx, escalationId, 'escalationId');
    const actor = ctx.actor as CaseworkActor;
    if (
      actor.agencyId !== escalation.raisingAgencyId &&
      actor.agencyId !== escalation.respondingAgencyId
    ) {
      throw new ForbiddenError(
        'Only the raising and the responding agency confirm the agreed outcome.',
      );
    }
    if (escalation.status !== EscalationStatus.RESOLVED) {
      throw new ConflictError(
        `The escalation is ${escalation.status}: only a resolved escalation's outcome is confirmed.`,
      );
    }
    const confirmations = await ctx.loaders.confirmations.load(escalation.id);
    if (confirmations.some((c) => c.agencyId === actor.agencyId)) {
      throw new ConflictError('Your agency has already confirmed this outcome.');
    }
    const parties = new Set([escalation.raisingAgencyId, escalation.respondingAgencyId]);
    const result = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const current = await claimVersion(tx, escalation.id, escalation.version);
      tx.create(OutcomeConfirmation, {
        escalationId: current.id,
        agencyId: actor.agencyId,
        practitionerId: actor.id,
        confirmedAt: now,
      });
      const outcome = await tx.findOneOrFail(AgreedOutcome, { escalationId: current.id });
      await writeRecord(tx, current, {
        authorId: actor.id,
        kind: RecordKind.CONFIRMATION,
        stageNumber: outcome.agreedAtStage,
        text: `Agreed outcome confirmed in writing for the ${actor.agencyKind} agency.`,
        occurredAt: now,
      });
      await recordEvent(tx, 'OutcomeConfirmed', current.id, {
        ...eventFacts(current),
        agencyKind: actor.agencyKind,
        confirmedAt: now.toISOString(),
      });
      const confirmed = new Set([...confirmations.map((c) => c.agencyId), actor.agencyId]);
      if ([...parties].every((agency) => confirmed.has(agency))) {
        current.status = EscalationStatus.CLOSED;
        current.closedAt = now;
        await recordEvent(tx, 'EscalationClosed', current.id, {
          ...eventFacts(current),
          closedAt: now.toISOString(),
        });
      }
      await ctx.audit(
        { action: 'escalation.confirm', entityType: 'Escalation', entityIds: [current.id] },
        tx,
      );
      return current;
    });
    afterChange(ctx);
    return result;
  }

  @Mutation(() => Escalation)
  async withdrawEscalation(
    @Arg('escalationId', () => ID) escalationId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: EscalationsContext,
  ): Promise<Escalation> {
    const escalation = await loadVisibleEscalation(ctx, escalationId, 'escalationId');
    if (ctx.actor.id !== escalation.raisedById)
      throw new ForbiddenError('Only the practitioner who raised it may withdraw an escalation.');
    const text = reason.trim();
    if (!text || reason.length > MAX_REASON) {
      throw new BadUserInputError(
        'reason',
        `must be between 1 and ${MAX_REASON} characters and not only white space`,
      );
    }
    if (escalation.status !== EscalationStatus.OPEN) {
      throw new ConflictError(
        `The escalation is ${escalation.status}: only an open escalation can be withdrawn.`,
      );
    }
    const result = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const current = await claimVersion(tx, escalation.id, escalation.version);
      const left = await completeStage(tx, current, StageResult.WITHDRAWN, now);
      await writeRecord(tx, current, {
        authorId: ctx.actor.id,
        kind: RecordKind.WITHDRAWAL,
        stageNumber: left.number,
        text,
        occurredAt: now,
      });
      current.status = EscalationStatus.WITHDRAWN;
      current.currentStageNumber = null;
      current.currentStageDueAt = null;
      await stageEvent(tx, 'StageCompleted', current, left);
      await recordEvent(tx, 'EscalationWithdrawn', current.id, {
        ...eventFacts(current),
        stageNumber: left.number,
        withdrawnAt: now.toISOString(),
      });
      await ctx.audit(
        { action: 'escalation.withdraw', entityType: 'Escalation', entityIds: [current.id] },
        tx,
      );
      return current;
    });
    afterChange(ctx);
    return result;
  }

  @Mutation(() => Escalation)
  async completeOutstandingIssue(
    @Arg('escalationId', () => ID) escalationId: string,
    @Arg('issueId', () => ID) issueId: string,
    @Ctx() ctx: EscalationsContext,
  ): Promise<Escalation> {
    const escalation = await loadVisibleEscalation(ctx, escalationId, 'escalationId');
    const issue = (await ctx.loaders.issues.load(escalation.id)).find((i) => i.id === issueId);
    if (!issue) throw new NotFoundError('outstanding issue of this escalation', issueId, 'issueId');
    if (ctx.actor.agencyId !== issue.ownerAgencyId)
      throw new ForbiddenError('Only the agency that owns an outstanding issue marks it done.');
    if (await ctx.loaders.completion.load(issue.id))
      throw new ConflictError('This outstanding issue is already done.');
    const result = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const current = await claimVersion(tx, escalation.id, escalation.version);
      tx.create(IssueCompletion, {
        issueId: issue.id,
        escalationId: current.id,
        completedById: ctx.actor.id,
        completedAt: now,
      });
      const outcome = await tx.findOneOrFail(AgreedOutcome, { escalationId: current.id });
      await writeRecord(tx, current, {
        authorId: ctx.actor.id,
        kind: RecordKind.NOTE,
        stageNumber: outcome.agreedAtStage,
        text: `Outstanding issue done: ${issue.description}`,
        occurredAt: now,
      });
      await recordEvent(tx, 'OutstandingIssueCompleted', current.id, {
        ...eventFacts(current),
        completedAt: now.toISOString(),
      });
      await ctx.audit(
        {
          action: 'escalation.issue-done',
          entityType: 'Escalation',
          entityIds: [current.id, issue.id],
        },
        tx,
      );
      return current;
    });
    afterChange(ctx);
    return result;
  }
}

/** Whether a DISCUSSION, ACTION or DECISION is on the record at stage `stageNumber`. */
async function workedAt(
  ctx: EscalationsContext,
  escalation: Escalation,
  stageNumber: number,
): Promise<boolean> {
  const records = await ctx.loaders.records.load(escalation.id);
  return records.some((r) => r.stageNumber === stageNumber && WORK_RECORD_KINDS.includes(r.kind));
}

/** What the shared escalation services need from a request. */
function depsOf(ctx: EscalationsContext): EscalationDeps {
  return { em: ctx.em, facts: ctx.facts, now: ctx.now(), audit: ctx.audit };
}

/** The open escalation's current stage and its policy definition; CONFLICT when not open or stale. */
async function openStage(ctx: EscalationsContext, escalation: Escalation, expectedVersion: number) {
  if (escalation.status !== EscalationStatus.OPEN || escalation.currentStageNumber === null) {
    throw new ConflictError(
      `The escalation is ${escalation.status}: only an open escalation can move on.`,
    );
  }
  if (escalation.version !== expectedVersion) {
    throw new ConflictError(
      `expectedVersion ${expectedVersion} is stale: the escalation is at version ${escalation.version}. Reload it and try again.`,
    );
  }
  const policy = await ctx.loaders.policyVersion.load(
    `${escalation.boardId}:${escalation.policyVersion}`,
  );
  if (!policy)
    throw new Error(
      `policy version ${escalation.policyVersion} of board ${escalation.boardId} is missing`,
    );
  const stage = (await ctx.loaders.stages.load(escalation.id)).find(
    (s) => s.number === escalation.currentStageNumber,
  )!;
  return { policy, stage, definition: policy.stages[stage.number - 1] };
}

/** Completes the current stage; one completed after its dueAt gets its StageOverdue now if it has not had it. */
async function completeStage(
  tx: EntityManager,
  escalation: Escalation,
  result: StageResult,
  now: Date,
): Promise<EscalationStage> {
  const stage = await tx.findOneOrFail(EscalationStage, {
    escalationId: escalation.id,
    number: escalation.currentStageNumber!,
  });
  if (stage.dueAt.getTime() < now.getTime() && !stage.overdueEmittedAt)
    await markOverdue(tx, escalation, stage, now);
  stage.completedAt = now;
  stage.result = result;
  return stage;
}
