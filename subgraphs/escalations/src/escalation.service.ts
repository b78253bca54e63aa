import {
  allocateReference,
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  inCallersTransaction,
  insertRows,
  NotFoundError,
  PolicyViolationError,
  recordEvent,
  WhistleblowingRouteError,
  type AuditEvent,
  type CaseworkActor,
} from '@hub/kit';
import { Role } from '@hub/schema';
import type { EntityManager } from '@mikro-orm/core';
import { dueAt, isCalendarRegion } from './calendar/working-days.js';
import type { EscalationPolicyVersion } from './entities/escalation-policy.entity.js';
import { EscalationRecord } from './entities/escalation-record.entity.js';
import { EscalationStage } from './entities/escalation-stage.entity.js';
import { Escalation } from './entities/escalation.entity.js';
import {
  AUTHORED_RECORD_KINDS,
  EscalationStatus,
  RecordKind,
  type DisagreementCategory,
  type EscalationGround,
} from './enums.js';
import { eventFacts } from './escalation-state.js';
import {
  lineManagementChain,
  type FactLoaders,
  type PractitionerFact,
} from './facts/cases-facts.js';
import { currentPolicy } from './policy/policy.service.js';
import { consultationText } from './record-text.js';

/** A record's occurredAt may run this far ahead of the hub's clock (clock skew), no further. */
const CLOCK_SKEW_MS = 60_000;

/**
 * What writing to an escalation needs, whoever asks: the resolvers pass the request's, ingest
 * passes a savepoint of its batch and an audit that names the integration account.
 */
export interface EscalationDeps {
  em: EntityManager;
  facts: FactLoaders;
  now: Date;
  /**
   * The board's current policy, when the caller has read it for many raises at once (an ingest
   * batch, all of one board): each raise then runs under it rather than reading it again.
   */
  policy?: EscalationPolicyVersion | null;
  /** Writes an audit entry in the changing transaction. */
  audit(event: AuditEvent, tx: EntityManager): Promise<void>;
}

/**
 * Names an input field in a refusal: `input.respondentId` for the GraphQL mutation, the
 * canonical record's field (`respondent.email`) for ingest.
 */
export type FieldOf = (name: string) => string;

const inputField: FieldOf = (name) => `input.${name}`;

/** raiseEscalation's input, whoever gives it. */
export interface RaiseRequest {
  caseId: string;
  respondingAgencyId: string;
  respondentId?: string | null;
  category: DisagreementCategory;
  ground: EscalationGround;
  summary: string;
  desiredOutcome: string;
  immediateRisk?: boolean | null;
  startAtStage?: number | null;
  riskJustification?: string | null;
  consultedId?: string | null;
}

/**
 * Raises an escalation as `raiser`, under every rule of the board's procedure: the raiser's
 * agency is involved in the case, the responding agency is of its board, a respondent is of the
 * responding agency and outside the raiser's line-management chain (WHISTLEBLOWING_ROUTE), and a
 * start after stage 1 needs immediate risk, a justification and who was consulted. Writes the
 * escalation, its first stage, the concern (and the consultation) on the record, EscalationRaised,
 * StageEntered and the audit entry in one transaction (the caller's when it is in one: ingest's
 * record savepoint); `more` adds records to it (ingest's note).
 */
export async function raiseEscalationAs(
  deps: EscalationDeps,
  raiser: CaseworkActor,
  input: RaiseRequest,
  options: {
    field?: FieldOf;
    more?: (tx: EntityManager, escalation: Escalation, stageNumber: number) => Promise<unknown>;
  } = {},
): Promise<Escalation> {
  const field = options.field ?? inputField;
  const { facts } = deps;
  const theCase = await facts.case.load(input.caseId);
  // The raiser's agency must be involved in the case; otherwise the case is not theirs to see.
  if (!theCase || !theCase.agencyIds.includes(raiser.agencyId))
    throw new NotFoundError('case', input.caseId, field('caseId'));
  const responding = await facts.agency.load(input.respondingAgencyId);
  if (!responding || responding.boardId !== theCase.boardId) {
    throw new NotFoundError(
      'agency on this board',
      input.respondingAgencyId,
      field('respondingAgencyId'),
    );
  }
  if (input.respondentId)
    await checkRespondent(facts, raiser, input.respondentId, responding.id, field);
  const board = await facts.board.load(theCase.boardId);
  if (!board || !isCalendarRegion(board.region))
    throw new Error(`board ${theCase.boardId} has no calendar region`);

  const now = deps.now;
  const policy =
    deps.policy?.boardId === theCase.boardId
      ? deps.policy
      : await currentPolicy(deps.em, theCase.boardId, now);
  const startAt = input.startAtStage ?? 1;
  const justification = input.riskJustification?.trim() || null;
  if (startAt > policy.stages.length) {
    throw new BadUserInputError(
      field('startAtStage'),
      `must be from 1 to ${policy.stages.length}: the board's policy has ${policy.stages.length} stages`,
    );
  }
  const consulted =
    startAt > 1 ? await checkLaterStart(facts, raiser, input, justification, field) : null;

  return deps.em.transactional(async (tx) => {
    const { reference } = await allocateReference(tx, theCase.boardId, 'ESC', now);
    const stage = policy.stages[startAt - 1];
    const escalation = Object.assign(new Escalation(), {
      reference,
      boardId: theCase.boardId,
      region: board.region,
      caseId: theCase.id,
      raisedById: raiser.id,
      raisingAgencyId: raiser.agencyId,
      raisingAgencyKind: raiser.agencyKind!,
      respondingAgencyId: responding.id,
      respondingAgencyKind: responding.kind,
      respondentId: input.respondentId ?? null,
      category: input.category,
      ground: input.ground,
      summary: input.summary.trim(),
      desiredOutcome: input.desiredOutcome.trim(),
      immediateRisk: Boolean(input.immediateRisk),
      status: EscalationStatus.OPEN,
      policyVersion: policy.version,
      currentStageNumber: startAt,
      currentStageDueAt: dueAt(board.region as never, now, stage.timescaleWorkingDays),
      raisedAt: now,
      riskJustification: startAt > 1 ? justification : null,
      consultedId: startAt > 1 ? (input.consultedId ?? null) : null,
    });
    // A row written at once (its stage and records refer to it), not an entity for the unit of
    // work: nothing changes it in this transaction (docs/decisions.md, "Performance").
    await insertRows(tx, Escalation, [escalation]);
    const entered = await enterStage(
      tx,
      escalation,
      policy,
      startAt,
      now,
      startAt > 1 ? justification : null,
    );
    await writeRecord(tx, escalation, {
      authorId: raiser.id,
      kind: RecordKind.CONCERN_RAISED,
      stageNumber: startAt,
      text: escalation.summary,
      occurredAt: now,
    });
    if (consulted && justification) {
      // Written with the concern, at the same instant: the sequence keeps it after the concern.
      await writeRecord(tx, escalation, {
        authorId: raiser.id,
        kind: RecordKind.CONSULTATION,
        stageNumber: startAt,
        text: consultationText({
          stageNumber: startAt,
          stageName: stage.name,
          justification,
          consulted,
        }),
        occurredAt: now,
        sequence: 1,
      });
    }
    await options.more?.(tx, escalation, startAt);
    await recordEvent(tx, 'EscalationRaised', escalation.id, {
      ...eventFacts(escalation),
      startStage: startAt,
      // Ids only, for the cases subgraph to involve the responding agency in the case.
      caseId: escalation.caseId,
      respondingAgencyId: escalation.respondingAgencyId,
    });
    await stageEvent(tx, 'StageEntered', escalation, entered);
    await deps.audit(
      { action: 'escalation.raise', entityType: 'Escalation', entityIds: [escalation.id] },
      tx,
    );
    return escalation;
  }, inCallersTransaction());
}

/** addEscalationRecord's input, whoever gives it. */
export interface NewEntry {
  kind: RecordKind;
  text: string;
  occurredAt?: Date | null;
  sharedWithIds?: string[] | null;
}

/**
 * Writes a record to an escalation as `author`, under addEscalationRecord's rules: practitioners
 * of the two agencies or the board's manager write; only the kinds people write; not once the
 * escalation is CLOSED or WITHDRAWN; not in the future; shared with practitioners of the board.
 * The record sits at the current stage (after resolution, the last one).
 */
export async function addEscalationRecordAs(
  deps: EscalationDeps,
  author: CaseworkActor,
  escalation: Escalation,
  input: NewEntry,
  options: { field?: FieldOf } = {},
): Promise<EscalationRecord> {
  const field = options.field ?? inputField;
  const party =
    author.agencyId === escalation.raisingAgencyId ||
    author.agencyId === escalation.respondingAgencyId;
  if (
    !party &&
    !(author.boardId === escalation.boardId && author.roles.includes(Role.BOARD_MANAGER))
  ) {
    throw new ForbiddenError(
      'Only practitioners of the two agencies and the board manager write to the record.',
    );
  }
  if (!AUTHORED_RECORD_KINDS.includes(input.kind)) {
    throw new BadUserInputError(
      field('kind'),
      `must be one of ${AUTHORED_RECORD_KINDS.join(', ')}; the hub writes the others itself`,
    );
  }
  if (
    escalation.status === EscalationStatus.CLOSED ||
    escalation.status === EscalationStatus.WITHDRAWN
  ) {
    throw new ConflictError(`The escalation is ${escalation.status}: its record is complete.`);
  }
  const now = deps.now;
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new BadUserInputError(field('occurredAt'), 'must not be in the future');
  }
  const extra = [...new Set(input.sharedWithIds ?? [])];
  const people = await deps.facts.practitioner.loadMany(extra);
  people.forEach((person, i) => {
    if (!person || person instanceof Error || person.boardId !== escalation.boardId) {
      throw new NotFoundError('practitioner on this board', extra[i], field('sharedWithIds'));
    }
  });
  return deps.em.transactional(async (tx) => {
    // Resolved, it has no current stage: the record sits at the last one it reached.
    const stageNumber =
      escalation.currentStageNumber ??
      (
        await tx.findOneOrFail(
          EscalationStage,
          { escalationId: escalation.id },
          { orderBy: { number: 'desc' } },
        )
      ).number;
    const record = await writeRecord(tx, escalation, {
      authorId: author.id,
      kind: input.kind,
      stageNumber,
      text: input.text.trim(),
      occurredAt,
      recordedAt: now,
      sharedWith: extra,
    });
    await recordEvent(tx, 'EscalationRecordAdded', escalation.id, {
      ...eventFacts(escalation),
      stageNumber,
      kind: input.kind,
    });
    await deps.audit(
      {
        action: 'escalation.record',
        entityType: 'Escalation',
        entityIds: [escalation.id, record.id],
      },
      tx,
    );
    return record;
  }, inCallersTransaction());
}

async function checkRespondent(
  facts: FactLoaders,
  raiser: CaseworkActor,
  respondentId: string,
  respondingAgencyId: string,
  field: FieldOf,
) {
  const respondent = await facts.practitioner.load(respondentId);
  if (!respondent || respondent.agencyId !== respondingAgencyId) {
    throw new BadUserInputError(
      field('respondentId'),
      'must be a practitioner of the responding agency',
    );
  }
  if (respondent.id === raiser.id)
    throw new BadUserInputError(field('respondentId'), 'cannot be the raiser');
  const chain = await lineManagementChain(facts, raiser.id);
  if (chain.includes(respondent.id)) {
    throw new WhistleblowingRouteError(
      'The disagreement is with someone in your own line-management chain, which this multi-agency procedure does not cover. ' +
        "Raise it through your agency's whistleblowing procedure (your safeguarding lead or HR can point you to it), or speak to the next manager up.",
    );
  }
}

/** Checks a start after stage 1 and answers the consulted practitioner, whom the record names. */
async function checkLaterStart(
  facts: FactLoaders,
  raiser: CaseworkActor,
  input: RaiseRequest,
  justification: string | null,
  field: FieldOf,
): Promise<PractitionerFact> {
  if (!input.immediateRisk) {
    throw new PolicyViolationError(
      'An escalation starts at stage 1: only a child at immediate risk may start later (set immediateRisk, give a justification and the line manager or safeguarding lead you consulted).',
    );
  }
  if (!justification)
    throw new BadUserInputError(field('riskJustification'), 'is required to start after stage 1');
  if (!input.consultedId) {
    throw new BadUserInputError(
      field('consultedId'),
      'is required to start after stage 1: the line manager or safeguarding lead you consulted',
    );
  }
  const consulted = await facts.practitioner.load(input.consultedId);
  if (
    !consulted ||
    !consulted.active ||
    consulted.agencyId !== raiser.agencyId ||
    !consulted.roles.some((role) => role === Role.LINE_MANAGER || role === Role.SAFEGUARDING_LEAD)
  ) {
    throw new BadUserInputError(
      field('consultedId'),
      'must be an active line manager or safeguarding lead of your agency',
    );
  }
  return consulted;
}

/**
 * Enters stage `number` of `policy`: writes its row at once (the escalation's row must exist) and
 * answers it, not managed by `tx`: a stage is completed later, by another request that loads it.
 */
export async function enterStage(
  tx: EntityManager,
  escalation: Escalation,
  policy: EscalationPolicyVersion,
  number: number,
  now: Date,
  entryReason: string | null,
): Promise<EscalationStage> {
  const definition = policy.stages[number - 1];
  const stage = Object.assign(new EscalationStage(), {
    escalationId: escalation.id,
    number,
    name: definition.name,
    enteredAt: now,
    dueAt: dueAt(escalation.region as never, now, definition.timescaleWorkingDays),
    entryReason,
  });
  await insertRows(tx, EscalationStage, [stage]);
  return stage;
}

export interface NewRecord {
  authorId: string;
  kind: RecordKind;
  stageNumber: number;
  text: string;
  occurredAt: Date;
  /** @default occurredAt */
  recordedAt?: Date;
  /** Practitioners to share it with besides the raiser and the respondent. */
  sharedWith?: string[];
  /** Its place among the records one change writes at one instant. @default 0 */
  sequence?: number;
}

/**
 * Writes a record of `escalation` (whose row must exist) at once and answers it. Records are
 * append-only, so it is a row rather than an entity for the unit of work, whose flush cost
 * several times the statement (docs/decisions.md, "Performance").
 */
export async function writeRecord(
  tx: EntityManager,
  escalation: Escalation,
  record: NewRecord,
): Promise<EscalationRecord> {
  // Every record is shared with the raiser and the respondent, whatever else is asked.
  const sharedWithIds = [
    ...new Set([
      escalation.raisedById,
      ...(escalation.respondentId ? [escalation.respondentId] : []),
      ...(record.sharedWith ?? []),
    ]),
  ];
  const written = Object.assign(new EscalationRecord(), {
    escalationId: escalation.id,
    stageNumber: record.stageNumber,
    kind: record.kind,
    authorId: record.authorId,
    text: record.text,
    occurredAt: record.occurredAt,
    recordedAt: record.recordedAt ?? record.occurredAt,
    sequence: record.sequence ?? 0,
    sharedWithIds,
  });
  await insertRows(tx, EscalationRecord, [written]);
  return written;
}

export async function stageEvent(
  tx: EntityManager,
  type: 'StageEntered' | 'StageCompleted',
  escalation: Escalation,
  stage: EscalationStage,
) {
  await recordEvent(tx, type, escalation.id, {
    ...eventFacts(escalation),
    stageNumber: stage.number,
    enteredAt: stage.enteredAt.toISOString(),
    dueAt: stage.dueAt.toISOString(),
    ...(stage.completedAt && {
      completedAt: stage.completedAt.toISOString(),
      result: stage.result,
      withinTimescale: stage.completedAt.getTime() <= stage.dueAt.getTime(),
    }),
  });
}
