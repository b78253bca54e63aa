import {
  allocateReference,
  BadUserInputError,
  inCallersTransaction,
  insertRows,
  recordEvent,
  type AuditEvent,
} from '@hub/kit';
import type { PlanType } from '@hub/schema';
import type { EntityManager } from '@mikro-orm/core';
import { todayInLondon } from './calendar.js';
import { matchChild, type ChildMatch, type ChildMatchOptions } from './child-matching.js';
import { CaseAgency } from './entities/case-agency.entity.js';
import { Case } from './entities/case.entity.js';
import type { ChildSubjectInput } from './inputs/child-subject.input.js';

/** Writes an audit entry in the changing transaction, as whoever acts (a practitioner, ingest). */
export type AuditIn = (event: AuditEvent, tx: EntityManager) => Promise<void>;

/** A case to open: createCase's input once its agencies are known to be of the board. */
export interface NewCase {
  boardId: string;
  child: ChildSubjectInput;
  planType: PlanType;
  leadAgencyId: string | null;
  /** Every involved agency, the opener's and the lead's included, without duplicates. */
  agencyIds: string[];
  /** Who opens it: the practitioner, or for ingest the integration account. */
  createdBy: string;
}

/**
 * Opens a case the one way the hub does, for createCase and for ingest alike: links or records
 * its child (child-matching.ts), takes the board's next reference, involves the agencies, and
 * writes CaseCreated and the audit entry in the same transaction (the caller's when it is in
 * one: ingest's record savepoint).
 */
export async function openCase(
  em: EntityManager,
  input: NewCase,
  audit: AuditIn,
  match: ChildMatchOptions = {},
): Promise<{ case: Case; child: ChildMatch }> {
  return em.transactional(async (tx) => {
    const child = await matchChild(tx, input.boardId, input.child, match);
    const { reference } = await allocateReference(tx, input.boardId, 'CASE');
    const record = Object.assign(new Case(), {
      reference,
      boardId: input.boardId,
      childId: child.child.id,
      planType: input.planType,
      leadAgencyId: input.leadAgencyId,
      createdBy: input.createdBy,
    });
    // Rows written at once, parents first, rather than entities for the unit of work: a case
    // is written once and never changed, and the flushes cost an ingested case about 0.8 ms
    // (docs/decisions.md, "Performance").
    await insertRows(tx, Case, [record]);
    await insertRows(
      tx,
      CaseAgency,
      input.agencyIds.map((agencyId) => ({
        caseId: record.id,
        agencyId,
        addedBy: input.createdBy,
        addedAt: record.createdAt,
      })),
    );
    await recordEvent(tx, 'CaseCreated', record.id, {
      caseId: record.id,
      boardId: record.boardId,
      planType: record.planType,
      leadAgencyId: record.leadAgencyId,
      agencyIds: input.agencyIds,
    });
    await audit({ action: 'case.create', entityType: 'Case', entityIds: [record.id] }, tx);
    return { case: record, child };
  }, inCallersTransaction());
}

/**
 * Involves one more agency in a case (addAgencyToCase, and a new version of an ingested case):
 * the row, CaseAgencyAdded and the audit entry commit together (in the caller's transaction
 * when it is in one). The primary key (case, agency)
 * makes a concurrent duplicate fail rather than double up.
 */
export async function involveAgency(
  em: EntityManager,
  theCase: Case,
  agencyId: string,
  addedBy: string,
  audit: AuditIn,
): Promise<void> {
  await em.transactional(async (tx) => {
    await insertRows(tx, CaseAgency, [
      { caseId: theCase.id, agencyId, addedBy, addedAt: new Date() },
    ]);
    await recordEvent(tx, 'CaseAgencyAdded', theCase.id, {
      caseId: theCase.id,
      boardId: theCase.boardId,
      agencyId,
    });
    await audit(
      { action: 'case.add-agency', entityType: 'Case', entityIds: [theCase.id, agencyId] },
      tx,
    );
  }, inCallersTransaction());
}

/**
 * The checks a child's details get before matching: a date of birth not in the future, no
 * identifier twice, NHS numbers with a correct check digit. `field` is where the child is in the
 * caller's input (`input.child`, or `child` in a canonical record).
 */
export function checkChild(
  child: ChildSubjectInput,
  field = 'input.child',
  now = new Date(),
): void {
  if (child.dateOfBirth && child.dateOfBirth > todayInLondon(now)) {
    throw new BadUserInputError(`${field}.dateOfBirth`, 'must not be in the future');
  }
  const seen = new Set<string>();
  for (const [i, identifier] of (child.identifiers ?? []).entries()) {
    const key = `${identifier.system}\u0000${identifier.value.trim()}`;
    if (seen.has(key)) throw new BadUserInputError(`${field}.identifiers.${i}`, 'is listed twice');
    seen.add(key);
    if (identifier.system === 'nhs-number' && !isNhsNumber(identifier.value)) {
      throw new BadUserInputError(
        `${field}.identifiers.${i}.value`,
        'is not a valid NHS number (10 digits with a correct check digit)',
      );
    }
  }
}

/** NHS numbers: 10 digits, the last a modulus-11 check digit (NHS Data Dictionary). */
export function isNhsNumber(value: string): boolean {
  const digits = value.replace(/\s/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  const sum = [...digits.slice(0, 9)].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}
