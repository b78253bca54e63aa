import { records, reject, skip, type MapResult } from '@hub/plugin-sdk';
import {
  DisagreementCategory,
  PlanType,
  type AgencyRef,
  type CanonicalRecordInput,
  type DisagreementRecord,
  type EscalationEntryRecord,
} from '@hub/schema';
import type { Communication, CommunicationPayload, Task } from 'fhir/r4.js';
import {
  FieldError,
  boundedText,
  codingsAt,
  instant,
  objectArray,
  optionalString,
  path,
  referenceAt,
  referencesAt,
  type CodingValue,
  type JsonObject,
} from './fhir.readers.js';
import { kebab, type ResolvedHealthOptions } from './health.options.js';
import type { HealthSource, ReferenceFacts } from './health.source.js';
import { typeAndId } from './reference.index.js';
import { factsAt, requirePatient, requirePractitionerEmail, responderAt } from './refs.lookup.js';
import { requiredSourceId } from './source-id.js';
import { baseVersionOf, sourceVersionOf } from './source-version.js';

/** The code of the escalation CodeSystem that marks a challenge. */
export const CHALLENGE_CODE = 'professional-disagreement';

/** Codes of the escalation CodeSystem that give a reply's record kind. */
const RECORD_KINDS = {
  discussion: 'DISCUSSION',
  action: 'ACTION',
  decision: 'DECISION',
  consultation: 'CONSULTATION',
  note: 'NOTE',
} as const satisfies Record<string, EscalationEntryRecord['recordKind']>;

const GROUNDS = {
  'decision-challenge': 'DECISION_CHALLENGE',
  'action-not-taken': 'ACTION_NOT_TAKEN',
} as const satisfies Record<string, DisagreementRecord['ground']>;

/** Where a Communication and a Task keep what a challenge needs: one mapping, two shapes. */
interface ThreadShape {
  type: 'Communication' | 'Task';
  /** The child the challenge is about (a Patient). */
  subject: string;
  /** Who raises it or writes the reply (a Practitioner). */
  author: string;
  /** Who is challenged (an Organization, and maybe a Practitioner). */
  responder: { key: string; repeating: boolean };
  /** The earlier Communications or Tasks a reply answers. */
  answers: string[];
  /** A Flag (the child's plan) the challenge is about, whose case it joins. */
  plan: { key: string; repeating: boolean };
  /** The CodeableConcept that carries the escalation codes. */
  marker: { key: string; repeating: boolean };
  /** The CodeableConcept that carries the category and the ground. */
  reason: { key: string; repeating: boolean };
  /** When it was sent or written. */
  when: string;
  /** Statuses that mean it was never raised, or was withdrawn: skipped. */
  notRaised: ReadonlySet<string>;
}

const COMMUNICATION = {
  type: 'Communication',
  subject: 'subject',
  author: 'sender',
  responder: { key: 'recipient', repeating: true },
  answers: ['inResponseTo'],
  plan: { key: 'about', repeating: true },
  marker: { key: 'category', repeating: true },
  reason: { key: 'reasonCode', repeating: true },
  when: 'sent',
  notRaised: new Set(['preparation', 'not-done', 'entered-in-error']),
} as const satisfies ThreadShape & {
  [K in 'subject' | 'author' | 'when']: keyof Communication;
};

const TASK = {
  type: 'Task',
  subject: 'for',
  author: 'requester',
  responder: { key: 'owner', repeating: false },
  answers: ['partOf', 'basedOn'],
  plan: { key: 'focus', repeating: false },
  marker: { key: 'code', repeating: false },
  reason: { key: 'reasonCode', repeating: false },
  when: 'authoredOn',
  notRaised: new Set(['draft', 'cancelled', 'rejected', 'entered-in-error']),
} as const satisfies ThreadShape & { [K in 'subject' | 'author' | 'when']: keyof Task };

const PAYLOAD = { contentString: 'contentString' } as const satisfies Record<
  string,
  keyof CommunicationPayload
>;

function shapeOf(resource: JsonObject): ThreadShape {
  return resource.resourceType === 'Task' ? TASK : COMMUNICATION;
}

/** The references a Communication or Task has `parse` resolve for `map`. */
export function threadReferences(resource: JsonObject): string[] {
  const shape = shapeOf(resource);
  const single = (key: string) => {
    const reference = referenceAt(resource, key, key);
    return reference === undefined ? [] : [reference];
  };
  const either = ({ key, repeating }: { key: string; repeating: boolean }) =>
    repeating ? referencesAt(resource, key).map(({ reference }) => reference) : single(key);
  return [
    ...single(shape.subject),
    ...single(shape.author),
    ...either(shape.responder),
    ...either(shape.plan),
    ...shape.answers.flatMap((key) =>
      referencesAt(resource, key).map(({ reference }) => reference),
    ),
  ];
}

/** A reference with where it is. */
interface Located {
  reference: string;
  field: string;
}

function located(resource: JsonObject, key: string, repeating: boolean): Located[] {
  if (repeating) return referencesAt(resource, key);
  const reference = referenceAt(resource, key, key);
  return reference === undefined ? [] : [{ reference, field: key }];
}

/** The escalation codes a Communication or Task carries. */
function escalationCodes(
  resource: JsonObject,
  shape: ThreadShape,
  options: ResolvedHealthOptions,
): CodingValue[] {
  return codingsAt(resource, shape.marker.key, shape.marker.repeating).filter(
    (coding) => coding.system === options.escalationSystem,
  );
}

/** Where a Communication or Task sits in a thread: a challenge, a reply, or neither. */
export type Thread =
  | { role: 'challenge'; disagreementSourceId: string }
  | {
      role: 'reply';
      disagreementSourceId: string;
      recordKind: EscalationEntryRecord['recordKind'];
    };

/**
 * A reply answers (inResponseTo; a Task's partOf or basedOn) a challenge or reply earlier in the
 * body, or carries a record-kind code and answers one by `Type/id` (a challenge ingested before).
 * Otherwise it is a challenge when it carries the `professional-disagreement` code.
 */
export function threadOf(
  resource: JsonObject,
  sourceId: string,
  refs: Record<string, ReferenceFacts>,
  options: ResolvedHealthOptions,
): Thread | undefined {
  const shape = shapeOf(resource);
  const codes = escalationCodes(resource, shape, options);
  const kindCode = codes.find((coding) => coding.code !== undefined && coding.code in RECORD_KINDS);
  const recordKind = kindCode ? RECORD_KINDS[kindCode.code as keyof typeof RECORD_KINDS] : 'NOTE';
  const answered = shape.answers.flatMap((key) => referencesAt(resource, key));
  for (const { reference } of answered) {
    const facts = factsAt(refs, reference);
    if (facts?.kind === 'Thread') {
      return { role: 'reply', disagreementSourceId: facts.disagreementSourceId, recordKind };
    }
  }
  if (kindCode && answered.length > 0) {
    const { reference, field } = answered[0]!;
    const target = typeAndId(reference);
    if (target === undefined || !target.startsWith(`${shape.type}/`)) {
      throw new FieldError(
        field,
        `${reference} is not a ${shape.type} earlier in this body, nor a ${shape.type}/<id> ` +
          'reference to a challenge ingested before',
      );
    }
    return { role: 'reply', disagreementSourceId: target, recordKind };
  }
  if (codes.some((coding) => coding.code === CHALLENGE_CODE)) {
    return { role: 'challenge', disagreementSourceId: sourceId };
  }
  return undefined;
}

/**
 * A Communication or Task marked as a challenge becomes a `disagreement` record (and the `case`
 * it is about, unless it names a child-protection Flag's case); one answering a challenge becomes
 * an `escalation-record` on its disagreement. Anything else is skipped.
 */
export function mapThread(source: HealthSource, options: ResolvedHealthOptions): MapResult {
  const resource = source.resource!;
  const shape = shapeOf(resource);
  try {
    const sourceId = requiredSourceId(resource, source.fullUrl);
    const status = optionalString(resource, 'status', 'status');
    if (status !== undefined && shape.notRaised.has(status)) {
      return skip(`the ${shape.type} is ${status}`);
    }
    const thread = threadOf(resource, sourceId, source.refs, options);
    if (thread === undefined) {
      return skip(
        `not marked as a professional disagreement (${shape.marker.key} ` +
          `${options.escalationSystem}|${CHALLENGE_CODE}) nor answering one`,
      );
    }
    return thread.role === 'challenge'
      ? challengeRecords(source, shape, sourceId, options)
      : replyRecord(source, shape, sourceId, thread);
  } catch (error) {
    if (error instanceof FieldError) return reject(error.field, error.message);
    throw error;
  }
}

function challengeRecords(
  source: HealthSource,
  shape: ThreadShape,
  sourceId: string,
  options: ResolvedHealthOptions,
): MapResult {
  const resource = source.resource!;
  const refs = source.refs;

  const subject = referenceAt(resource, shape.subject, shape.subject);
  if (subject === undefined) {
    throw new FieldError(shape.subject, 'names no Patient: a challenge is about a child');
  }
  const patient = requirePatient(refs, subject, shape.subject);
  const emitted: CanonicalRecordInput[] = [];
  // A challenge about a child's plan joins the plan's case; otherwise the child gets a case of
  // its own, the same record for every challenge about them.
  const plan = located(resource, shape.plan.key, shape.plan.repeating)
    .map(({ reference }) => factsAt(refs, reference))
    .find((facts) => facts?.kind === 'Plan');
  let caseSourceId: string;
  if (plan?.kind === 'Plan') {
    caseSourceId = plan.caseSourceId;
  } else {
    caseSourceId = `${patient.sourceId}/case`;
    const content = {
      kind: 'case' as const,
      sourceId: caseSourceId,
      child: patient.child,
      planType: PlanType.NONE,
      involvedAgencies: [],
    };
    emitted.push({
      ...content,
      sourceVersion: sourceVersionOf(patient.baseVersion, content, false),
    });
  }

  const raisedBy = { email: authorEmail(resource, shape, refs) };
  const { respondingAgency, respondent } = responders(resource, shape, refs);
  const reasons = codingsAt(resource, shape.reason.key, shape.reason.repeating);
  const category = codeFrom(
    reasons,
    options.categorySystem,
    shape.reason.key,
    'what the disagreement is about',
    Object.fromEntries(Object.values(DisagreementCategory).map((value) => [kebab(value), value])),
  );
  const ground = codeFrom(
    reasons,
    options.groundSystem,
    shape.reason.key,
    'why it is raised',
    GROUNDS,
  );
  const notes = objectArray(resource, 'note', 'note');
  const noted = notes[0] && optionalString(notes[0], 'text', 'note[0].text');
  const content = {
    kind: 'disagreement' as const,
    sourceId,
    caseSourceId,
    raisedBy,
    respondingAgency,
    ...(respondent ? { respondent } : {}),
    category,
    ground,
    summary: boundedText(...textOf(resource, shape, 'summary'), 4000),
    desiredOutcome:
      noted !== undefined && noted.trim() !== ''
        ? boundedText(noted, 'note[0].text', 4000)
        : options.defaultDesiredOutcome,
    occurredAt: occurredAt(resource, shape),
  };
  emitted.push({
    ...content,
    sourceVersion: sourceVersionOf(baseVersionOf(resource), content, true),
  });
  return records(...emitted);
}

function replyRecord(
  source: HealthSource,
  shape: ThreadShape,
  sourceId: string,
  thread: Extract<Thread, { role: 'reply' }>,
): MapResult {
  const resource = source.resource!;
  const content = {
    kind: 'escalation-record' as const,
    sourceId,
    disagreementSourceId: thread.disagreementSourceId,
    author: { email: authorEmail(resource, shape, source.refs) },
    recordKind: thread.recordKind,
    text: boundedText(...textOf(resource, shape, 'text'), 8000),
    occurredAt: occurredAt(resource, shape),
  };
  return records({
    ...content,
    sourceVersion: sourceVersionOf(baseVersionOf(resource), content, true),
  });
}

function authorEmail(
  resource: JsonObject,
  shape: ThreadShape,
  refs: Record<string, ReferenceFacts>,
): string {
  const author = referenceAt(resource, shape.author, shape.author);
  if (author === undefined) {
    throw new FieldError(
      shape.author,
      'names no Practitioner: the hub records who raised or wrote it by their email address',
    );
  }
  return requirePractitionerEmail(refs, author, shape.author);
}

/** The responding agency (the first recipient or owner Organization) and any practitioner. */
function responders(
  resource: JsonObject,
  shape: ThreadShape,
  refs: Record<string, ReferenceFacts>,
): { respondingAgency: AgencyRef; respondent?: { email: string } } {
  let respondingAgency: AgencyRef | undefined;
  let respondent: { email: string } | undefined;
  for (const { reference, field } of located(
    resource,
    shape.responder.key,
    shape.responder.repeating,
  )) {
    const facts = responderAt(refs, reference);
    if (facts?.kind === 'Organization' && respondingAgency === undefined) {
      if (facts.agencyKind === undefined) {
        throw new FieldError(
          field,
          `${reference} has no type the plugin maps to a kind of agency (Organization.type; ` +
            'see the agencyKindCodings option)',
        );
      }
      respondingAgency = { kind: facts.agencyKind, ...(facts.name ? { name: facts.name } : {}) };
    }
    if (facts?.kind === 'Practitioner' && facts.email && respondent === undefined) {
      respondent = { email: facts.email };
    }
  }
  if (respondingAgency === undefined) {
    throw new FieldError(
      shape.responder.key,
      'names no Organization earlier in this body: the responding agency is the ' +
        `${shape.responder.key} Organization, known by its type`,
    );
  }
  return respondent ? { respondingAgency, respondent } : { respondingAgency };
}

/** The one code of `system` among `codings`, translated; absent or unknown is an error. */
function codeFrom<T extends string>(
  codings: CodingValue[],
  system: string,
  field: string,
  what: string,
  values: Record<string, T>,
): T {
  const coding = codings.find((candidate) => candidate.system === system);
  const known = Object.keys(values).join(', ');
  if (coding === undefined) {
    throw new FieldError(field, `needs a coding of ${system} saying ${what} (${known})`);
  }
  const code = coding.code ?? '';
  if (!Object.prototype.hasOwnProperty.call(values, code)) {
    throw new FieldError(path(coding.field, 'code'), `"${code}" is not one of ${known}`);
  }
  return values[code]!;
}

/** A Communication's first payload text, or a Task's description, with its field. */
function textOf(resource: JsonObject, shape: ThreadShape, what: string): [string, string] {
  if (shape.type === 'Task') {
    const description = optionalString(resource, 'description', 'description');
    if (description === undefined || description.trim() === '') {
      throw new FieldError('description', `must give the ${what} as text`);
    }
    return [description, 'description'];
  }
  const field = path('payload', 0, PAYLOAD.contentString);
  const payloads = objectArray(resource, 'payload', 'payload');
  const text = payloads[0] && optionalString(payloads[0], PAYLOAD.contentString, field);
  if (text === undefined || text.trim() === '') {
    throw new FieldError(field, `must give the ${what} as text`);
  }
  return [text, field];
}

function occurredAt(resource: JsonObject, shape: ThreadShape): string {
  const value = optionalString(resource, shape.when, shape.when);
  if (value === undefined) {
    throw new FieldError(shape.when, 'must say when it was written: the record needs the time');
  }
  return instant(value, shape.when);
}
