import { randomUUID } from 'node:crypto';
import {
  appendAudit,
  IngestRejection,
  insertRows,
  rejectionFrom,
  resolveAgencyRef,
  type Actor,
  type Applied,
  type IngestItem,
  type IngestLedgerEntry,
  type RequestMeta,
} from '@hub/kit';
import type { CaseRecord, ChildRecord, ChildSubjectData } from '@hub/schema';
import type { EntityManager } from '@mikro-orm/core';
import { checkChild, involveAgency, openCase, type AuditIn } from '../case.service.js';
import { ChildMatchRefusedError, matchChild } from '../child-matching.js';
import type { Agency } from '../entities/agency.entity.js';
import { CaseAgency } from '../entities/case-agency.entity.js';
import { Case } from '../entities/case.entity.js';
import { SourceRecord } from '../entities/source-record.entity.js';
import type { ChildSubjectInput } from '../inputs/child-subject.input.js';

/**
 * National identifier systems the hub knows under a shorter name. A FHIR Patient's NHS number
 * and one typed into the hub are the same identifier, so both are kept as `nhs-number` (and
 * checked as one), and a CTF pupil's UPN as `upn`: otherwise a case opened in the hub and an
 * ingested record could never meet. Local systems (a force's police person id) stay as given.
 */
export const IDENTIFIER_SYSTEM_ALIASES: Readonly<Record<string, string>> = {
  'https://fhir.nhs.uk/Id/nhs-number': 'nhs-number',
  'https://www.gov.uk/government/publications/unique-pupil-numbers': 'upn',
};

/** Longest identifier system the hub keeps (the `child_identifier.system` column). */
const MAX_SYSTEM_LENGTH = 100;

/** Who ingests and where: the integration account, its agency and its board's agencies. */
export interface CasesIngestScope {
  /** The integration account as the audit log names it. */
  actor: Actor & { agencyId: string; boardId: string };
  meta: RequestMeta;
  boardAgencies: Agency[];
  now: Date;
}

/**
 * Applies one `child` or `case` record through the rules createCase and addAgencyToCase apply.
 * A refusal by those rules becomes a rejection naming the canonical record's field; a refusal
 * at matching the child is audited as `ingest.child-refused` (identifier systems, never values).
 */
export async function applyCasesRecord(
  tx: EntityManager,
  scope: CasesIngestScope,
  item: IngestItem,
  previous: IngestLedgerEntry | null,
): Promise<Applied> {
  const tag = `ingest:${item.plugin}`;
  const audit: AuditIn = (event, auditTx) =>
    appendAudit(auditTx, scope.actor, scope.meta, {
      ...event,
      entityIds: [...event.entityIds, tag],
    });
  const { record } = item;
  try {
    if (record.kind === 'child') return await applyChild(tx, scope, record, previous);
    if (record.kind === 'case') return await applyCase(tx, scope, item, record, previous, audit);
    throw new IngestRejection('kind', `the cases subgraph does not apply ${record.kind} records`);
  } catch (error) {
    const rejection = rejectionFrom(error, (field) => field ?? 'record');
    if (!rejection) throw error;
    if (error instanceof ChildMatchRefusedError) {
      throw new IngestRejection(rejection.field, rejection.message, {
        action: 'ingest.child-refused',
        entityType: 'ChildSubject',
        entityIds: [...error.childIds, ...error.systems.map((system) => `system:${system}`), tag],
      });
    }
    throw rejection;
  }
}

/** The canonical child as createCase's input, identifier systems under the hub's names. */
function childInput(child: ChildSubjectData, now: Date): ChildSubjectInput {
  const identifiers = child.identifiers.map((identifier, i) => {
    const system = IDENTIFIER_SYSTEM_ALIASES[identifier.system] ?? identifier.system;
    if (system.length > MAX_SYSTEM_LENGTH) {
      throw new IngestRejection(
        `child.identifiers.${i}.system`,
        `must be at most ${MAX_SYSTEM_LENGTH} characters`,
      );
    }
    return { system, value: identifier.value };
  });
  const input = { name: child.name, dateOfBirth: child.dateOfBirth ?? null, identifiers };
  checkChild(input, 'child', now);
  return input;
}

/**
 * A child known to the agency: linked to the board's child by a strong identifier (only when it
 * is the same child), or recorded; a later version adds the identifiers the child lacked.
 */
async function applyChild(
  tx: EntityManager,
  scope: CasesIngestScope,
  record: ChildRecord,
  previous: IngestLedgerEntry | null,
): Promise<Applied> {
  const match = await matchChild(tx, scope.actor.boardId, childInput(record.child, scope.now), {
    field: 'child',
    refusePossibleMatch: true,
    linkedChildId: previous?.entityId,
  });
  return {
    outcome: match.created ? 'created' : match.addedIdentifiers > 0 ? 'updated' : 'unchanged',
    entityId: match.child.id,
  };
}

/**
 * A case: opened as createCase opens one (the ingesting agency always involved), with a source
 * record naming where it came from. A later version involves the agencies the case lacks and
 * adds identifiers the child lacks; it never changes the plan type or the lead agency, which
 * are decisions a person records in the hub, so a version that differs there is rejected.
 */
async function applyCase(
  tx: EntityManager,
  scope: CasesIngestScope,
  item: IngestItem,
  record: CaseRecord,
  previous: IngestLedgerEntry | null,
  audit: AuditIn,
): Promise<Applied> {
  const { actor } = scope;
  const child = childInput(record.child, scope.now);
  const lead = record.leadAgency
    ? resolveAgencyRef(scope.boardAgencies, record.leadAgency, 'leadAgency')
    : null;
  const involved = record.involvedAgencies.map((ref, i) =>
    resolveAgencyRef(scope.boardAgencies, ref, `involvedAgencies.${i}`),
  );
  const agencyIds = [
    ...new Set([actor.agencyId, ...(lead ? [lead.id] : []), ...involved.map((a) => a.id)]),
  ];
  const source = { plugin: item.plugin, sourceId: record.sourceId, agencyId: actor.agencyId };

  if (!previous) {
    const opened = await openCase(
      tx,
      {
        boardId: actor.boardId,
        child,
        planType: record.planType,
        leadAgencyId: lead?.id ?? null,
        agencyIds,
        createdBy: actor.id,
      },
      audit,
      { field: 'child', refusePossibleMatch: true },
    );
    await insertRows(tx, SourceRecord, [
      { id: randomUUID(), caseId: opened.case.id, ...source, importedAt: scope.now },
    ]);
    return { outcome: 'created', entityId: opened.case.id };
  }

  const theCase = await tx.findOneOrFail(Case, { id: previous.entityId });
  if (theCase.planType !== record.planType) {
    throw new IngestRejection(
      'planType',
      `differs from the hub's: case ${theCase.reference} has plan type ${theCase.planType}. Ingest does not change a case's plan, a decision a person records in the hub`,
    );
  }
  if (lead && theCase.leadAgencyId !== lead.id) {
    throw new IngestRejection(
      'leadAgency',
      `differs from the hub's lead agency for case ${theCase.reference}. Ingest does not change who leads a case, a decision a person records in the hub`,
    );
  }
  const match = await matchChild(tx, actor.boardId, child, {
    field: 'child',
    linkedChildId: theCase.childId,
  });
  const present = new Set(
    (await tx.find(CaseAgency, { caseId: theCase.id })).map((row) => row.agencyId),
  );
  const missing = agencyIds.filter((id) => !present.has(id));
  for (const agencyId of missing) await involveAgency(tx, theCase, agencyId, actor.id, audit);
  const hasSource = await tx.count(SourceRecord, { caseId: theCase.id, ...source });
  if (!hasSource) tx.create(SourceRecord, { caseId: theCase.id, ...source, importedAt: scope.now });
  const changed = match.addedIdentifiers > 0 || missing.length > 0 || !hasSource;
  return { outcome: changed ? 'updated' : 'unchanged', entityId: theCase.id };
}
