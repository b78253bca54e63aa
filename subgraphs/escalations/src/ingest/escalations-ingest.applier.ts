import {
  appendAudit,
  assertCasework,
  findByKeys,
  IngestRejection,
  rejectionFrom,
  resolveAgencyRef,
  selectRows,
  type Actor,
  type Applied,
  type CaseworkActor,
  type DirectoryAgency,
  type IngestItem,
  type IngestLedgerEntry,
  type RequestMeta,
} from '@hub/kit';
import type { DisagreementRecord, EscalationEntryRecord, PractitionerRef } from '@hub/schema';
import type { EntityManager } from '@mikro-orm/core';
import type { EscalationPolicyVersion } from '../entities/escalation-policy.entity.js';
import { EscalationRecord } from '../entities/escalation-record.entity.js';
import { Escalation } from '../entities/escalation.entity.js';
import { EscalationGround, RecordKind } from '../enums.js';
import {
  addEscalationRecordAs,
  raiseEscalationAs,
  writeRecord,
  type EscalationDeps,
  type FieldOf,
} from '../escalation.service.js';
import type { FactLoaders, PractitionerFact } from '../facts/cases-facts.js';
import { sentence } from '../record-text.js';

/** The longest summary and desired outcome raiseEscalation takes (its input's limits). */
const MAX_RAISE_TEXT = 2000;

/** A practitioner of the ingesting agency's board, as `POST /internal/ingest/lookup` answers. */
export interface LookupPractitioner extends PractitionerFact {
  email: string;
}

/** What the cases subgraph answered for the batch (`POST /internal/ingest/lookup`). */
export interface IngestLookup {
  cases: { plugin: string; sourceId: string; caseId: string }[];
  practitioners: LookupPractitioner[];
  agencies: DirectoryAgency[];
}

/** Who ingests and where, and the facts the batch needs. */
export interface EscalationsIngestScope {
  /** The integration account: the audit log's actor, and the author of the hub's notes. */
  actor: CaseworkActor;
  integrationName: string;
  meta: RequestMeta;
  facts: FactLoaders;
  lookup: IngestLookup;
  now: Date;
  /** The board's current policy as the batch began (null if it has none yet). */
  policy: EscalationPolicyVersion | null;
}

/**
 * Applies one `disagreement` or `escalation-record` record through the rules raiseEscalation
 * and addEscalationRecord apply, acting as the practitioner the record names. A refusal by those
 * rules (WHISTLEBLOWING_ROUTE, POLICY_VIOLATION, ...) becomes a rejection naming the canonical
 * record's field, with the rule's own message.
 */
export async function applyEscalationsRecord(
  tx: EntityManager,
  scope: EscalationsIngestScope,
  item: IngestItem,
  previous: IngestLedgerEntry | null,
): Promise<Applied> {
  const tag = `ingest:${item.plugin}`;
  const deps: EscalationDeps = {
    em: tx,
    facts: scope.facts,
    now: scope.now,
    policy: scope.policy,
    audit: (event, auditTx) =>
      appendAudit(auditTx, scope.actor, scope.meta, {
        ...event,
        entityIds: [...event.entityIds, tag],
      }),
  };
  const { record } = item;
  if (record.kind === 'disagreement')
    return applyDisagreement(deps, scope, item.plugin, record, previous);
  if (record.kind === 'escalation-record')
    return applyEntry(deps, scope, item.plugin, record, previous);
  throw new IngestRejection(
    'kind',
    `the escalations subgraph does not apply ${record.kind} records`,
  );
}

/** Runs a rule of the procedure, turning its typed refusal into a rejection at `field`. */
async function underRules<T>(
  run: () => Promise<T>,
  field: (inputField: string | undefined, code: string) => string,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw rejectionFrom(error, field) ?? error;
  }
}

/**
 * The practitioner a record names, from the directory of the ingesting agency's board: unknown
 * there, deactivated, or (with `agencyId`) of another agency is a rejection at `field`.
 */
function practitionerOf(
  scope: EscalationsIngestScope,
  ref: PractitionerRef,
  field: string,
  agencyId?: string,
): LookupPractitioner {
  const email = ref.email.trim().toLowerCase();
  const found = scope.lookup.practitioners.find((p) => p.email === email);
  if (!found)
    throw new IngestRejection(field, "no practitioner has this email in your board's directory");
  if (agencyId && found.agencyId !== agencyId)
    throw new IngestRejection(field, 'is not a practitioner of your agency');
  if (!found.active) throw new IngestRejection(field, 'is deactivated in the directory');
  return found;
}

/** A directory entry as the actor the escalation rules check (its agency's kind from the board). */
function actorOf(scope: EscalationsIngestScope, person: LookupPractitioner, field: string) {
  const actor: Actor = {
    kind: 'practitioner',
    id: person.id,
    roles: person.roles,
    agencyId: person.agencyId,
    agencyKind: scope.lookup.agencies.find((a) => a.id === person.agencyId)?.kind ?? null,
    boardId: person.boardId,
  };
  // Someone who could not raise or write in the hub (an analyst, an integration account) cannot
  // through ingest either.
  try {
    assertCasework(actor);
  } catch (error) {
    throw rejectionFrom(error, () => field) ?? error;
  }
  return actor;
}

function checkLength(value: string, field: string): void {
  if (value.length > MAX_RAISE_TEXT)
    throw new IngestRejection(field, `must be at most ${MAX_RAISE_TEXT} characters`);
}

/** raiseEscalation's input fields, as the canonical disagreement names them. */
const DISAGREEMENT_FIELDS: Record<string, string> = {
  caseId: 'caseSourceId',
  respondingAgencyId: 'respondingAgency',
  respondentId: 'respondent.email',
  summary: 'summary',
  desiredOutcome: 'desiredOutcome',
};

const disagreementField: FieldOf = (name) => DISAGREEMENT_FIELDS[name] ?? name;

/**
 * A disagreement: raised as an escalation at stage 1 on behalf of `raisedBy`, with a NOTE saying
 * where it came from. A later version adds a NOTE with the summary as the source now has it:
 * never a second escalation, and the escalation as raised is never edited.
 */
async function applyDisagreement(
  deps: EscalationDeps,
  scope: EscalationsIngestScope,
  plugin: string,
  record: DisagreementRecord,
  previous: IngestLedgerEntry | null,
): Promise<Applied> {
  if (previous) {
    const escalation = await deps.em.findOneOrFail(Escalation, { id: previous.entityId });
    const text =
      `Updated in the source system (${plugin} record ${record.sourceId}, version ${record.sourceVersion}), ` +
      `received ${scope.now.toISOString().slice(0, 10)}: summary now: ${sentence(record.summary)} ` +
      `Desired outcome now: ${sentence(record.desiredOutcome)}`;
    await underRules(
      () => addEscalationRecordAs(deps, scope.actor, escalation, { kind: RecordKind.NOTE, text }),
      () => 'sourceVersion',
    );
    return { outcome: 'updated', entityId: escalation.id };
  }

  const raiser = practitionerOf(scope, record.raisedBy, 'raisedBy.email', scope.actor.agencyId);
  const raiserActor = actorOf(scope, raiser, 'raisedBy.email');
  const theCase = scope.lookup.cases.find(
    (c) => c.plugin === plugin && c.sourceId === record.caseSourceId,
  );
  if (!theCase) {
    throw new IngestRejection(
      'caseSourceId',
      `no case record with this source id from ${plugin} has been applied for your agency`,
    );
  }
  const responding = resolveAgencyRef(
    scope.lookup.agencies,
    record.respondingAgency,
    'respondingAgency',
  );
  const respondent = record.respondent
    ? practitionerOf(scope, record.respondent, 'respondent.email')
    : null;
  checkLength(record.summary, 'summary');
  checkLength(record.desiredOutcome, 'desiredOutcome');

  const escalation = await underRules(
    () =>
      raiseEscalationAs(
        deps,
        raiserActor as CaseworkActor,
        {
          caseId: theCase.caseId,
          respondingAgencyId: responding.id,
          respondentId: respondent?.id ?? null,
          category: record.category,
          ground: EscalationGround[record.ground],
          summary: record.summary,
          desiredOutcome: record.desiredOutcome,
          immediateRisk: record.immediateRisk,
          // Ingest always starts at stage 1: a later start needs a consultation the source
          // system does not record.
          startAtStage: 1,
        },
        {
          field: disagreementField,
          more: (tx, raised, stageNumber) =>
            writeRecord(tx, raised, {
              authorId: scope.actor.id,
              kind: RecordKind.NOTE,
              stageNumber,
              text:
                `Raised from ${plugin} source record ${record.sourceId} by the integration account ` +
                `${scope.integrationName}, on behalf of ${raiser.name}; logged in the source system at ${record.occurredAt}.`,
              occurredAt: scope.now,
              sequence: 2,
            }),
        },
      ),
    (inputField, code) =>
      inputField
        ? disagreementField(inputField)
        : code === 'WHISTLEBLOWING_ROUTE'
          ? 'respondent.email'
          : code === 'FORBIDDEN'
            ? 'raisedBy.email'
            : 'record',
  );
  return { outcome: 'created', entityId: escalation.id };
}

/**
 * A later entry about a disagreement: a record on the escalation that disagreement raised,
 * written by `author` under addEscalationRecord's rules. A later version of the entry is a NOTE
 * correcting it: records are append-only.
 */
async function applyEntry(
  deps: EscalationDeps,
  scope: EscalationsIngestScope,
  plugin: string,
  record: EscalationEntryRecord,
  previous: IngestLedgerEntry | null,
): Promise<Applied> {
  // Read in the batch's transaction: the disagreement may be an earlier record of this batch.
  // A row, not an entity: nothing changes it here.
  const [raised] = await selectRows<{ entityId: string }>(
    deps.em,
    'select entity_id as "entityId" from ingest_ledger where agency_id = ? and plugin = ? and kind = ? and source_id = ?',
    [scope.actor.agencyId, plugin, 'disagreement', record.disagreementSourceId],
  );
  if (!raised) {
    throw new IngestRejection(
      'disagreementSourceId',
      `no disagreement record with this source id from ${plugin} has been applied for your agency`,
    );
  }
  // One statement, hydrated without the ORM's query builder (the ledger names it, so it exists).
  const [escalation] = await findByKeys(deps.em, Escalation, 'id', [raised.entityId]);
  if (!escalation)
    throw new Error(`the ledger names escalation ${raised.entityId}, which is not there`);
  const fieldOf = (inputField: string | undefined, code: string) =>
    inputField === 'kind'
      ? 'recordKind'
      : inputField === 'occurredAt'
        ? 'occurredAt'
        : code === 'FORBIDDEN'
          ? 'author.email'
          : 'disagreementSourceId';

  if (previous) {
    const earlier = await deps.em.findOneOrFail(EscalationRecord, { id: previous.entityId });
    const text =
      `Correction from the source system (${plugin} record ${record.sourceId}, version ${record.sourceVersion}) ` +
      `to the ${earlier.kind} of ${earlier.occurredAt.toISOString().slice(0, 10)}: it now reads: ${record.text}`;
    await underRules(
      () => addEscalationRecordAs(deps, scope.actor, escalation, { kind: RecordKind.NOTE, text }),
      fieldOf,
    );
    return { outcome: 'updated', entityId: earlier.id };
  }

  const author = actorOf(
    scope,
    practitionerOf(scope, record.author, 'author.email'),
    'author.email',
  );
  const written = await underRules(
    () =>
      addEscalationRecordAs(deps, author as CaseworkActor, escalation, {
        kind: RecordKind[record.recordKind],
        text: record.text,
        occurredAt: new Date(record.occurredAt),
      }),
    fieldOf,
  );
  return { outcome: 'created', entityId: written.id };
}
