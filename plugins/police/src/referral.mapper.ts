import { records, reject, skip, type MapResult } from '@hub/plugin-sdk';
import { PlanType, type CanonicalRecordInput, type ChildIdentifier } from '@hub/schema';
import { NHS_NUMBER_SYSTEM } from './identifier-systems.js';
import { referralProblem, referralSchema, type RiskGrading } from './referral.schema.js';
import { contentVersion } from './source-version.js';

/** A referral as read from the body, not yet checked against the format. */
export interface ReferralSource {
  /** The referral as JSON holds it (CSV rows are built into the same shape). */
  readonly referral: unknown;
}

/** How referrals map. */
export interface ReferralMapOptions {
  /** The identifier system of `child.personId`. */
  personIdSystem: string;
  /** Gradings that make an escalated referral's disagreement one of immediate risk. */
  immediateRiskGradings: readonly RiskGrading[];
}

/**
 * A referral → canonical records. A referral about an adult only (no `child`) is skipped: the
 * hub holds children's cases. One with a child → a `case` about the child (`referral:<id>/case`)
 * involving the agency it was referred to; an escalated one also → a `disagreement` raised by
 * the referring officer against that agency (`referral:<id>`), versioned by the referral's
 * version, so a later version becomes a record on the escalation rather than a second one.
 */
export function mapReferral(source: ReferralSource, options: ReferralMapOptions): MapResult {
  const parsed = referralSchema.safeParse(withoutNulls(source.referral));
  if (!parsed.success) {
    const { field, message } = referralProblem(parsed.error);
    return reject(field, message);
  }
  const referral = parsed.data;
  if (referral.child === undefined) {
    return skip('the referral is about an adult only (no child): the hub holds children’s cases');
  }
  const { child, referredTo, escalation } = referral;
  const identifiers: ChildIdentifier[] = [
    { system: options.personIdSystem, value: child.personId },
  ];
  if (child.nhsNumber !== undefined) {
    identifiers.push({ system: NHS_NUMBER_SYSTEM, value: child.nhsNumber });
  }
  const caseRecord = {
    kind: 'case',
    sourceId: `referral:${referral.referralId}/case`,
    child: {
      name: child.name,
      ...(child.dateOfBirth !== undefined && { dateOfBirth: child.dateOfBirth }),
      identifiers,
    },
    // A referral says nothing of a plan: that is the partner agency's decision.
    planType: PlanType.NONE,
    involvedAgencies: [referredTo],
  } satisfies Omit<Extract<CanonicalRecordInput, { kind: 'case' }>, 'sourceVersion'>;
  // Versioned by its own content: a new version of the referral that leaves the case as it was
  // (a narrative edited, an escalation added) does not touch it.
  const mapped: CanonicalRecordInput[] = [
    { ...caseRecord, sourceVersion: contentVersion(Object.values(caseRecord)) },
  ];
  if (escalation !== undefined) {
    if (referral.officer?.email === undefined) {
      return reject('officer.email', 'officer.email is required when the referral is escalated');
    }
    mapped.push({
      kind: 'disagreement',
      sourceId: `referral:${referral.referralId}`,
      sourceVersion:
        referral.version !== undefined ? String(referral.version) : referral.lastModified,
      caseSourceId: caseRecord.sourceId,
      raisedBy: { email: referral.officer.email },
      respondingAgency: referredTo,
      category: escalation.category,
      ground: escalation.ground,
      summary: escalation.summary,
      desiredOutcome: escalation.desiredOutcome,
      immediateRisk: options.immediateRiskGradings.includes(referral.riskGrading),
      occurredAt: escalation.raisedAt ?? referral.referredAt,
    });
  }
  return records(...mapped);
}

/** JSON exports write absent values as `null`; the format reads them as absent. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value === null ? undefined : value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}
