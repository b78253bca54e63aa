import { records, reject, skip, type MapResult } from '@hub/plugin-sdk';
import type { Flag, Period } from 'fhir/r4.js';
import {
  FieldError,
  codingsAt,
  dateOfDateTime,
  optionalObject,
  optionalString,
  path,
  referenceAt,
  type JsonObject,
} from './fhir.readers.js';
import type { PlanTypeCoding, ResolvedHealthOptions } from './health.options.js';
import type { HealthSource } from './health.source.js';
import { requirePatient } from './refs.lookup.js';
import { requiredSourceId } from './source-id.js';
import { baseVersionOf, sourceVersionOf } from './source-version.js';

const FLAG = {
  status: 'status',
  code: 'code',
  category: 'category',
  subject: 'subject',
  period: 'period',
} as const satisfies Record<string, keyof Flag>;
const PERIOD = { start: 'start', end: 'end' } as const satisfies Record<string, keyof Period>;

/**
 * The plan a Flag stands for: the first of the configured codings (in their order of precedence)
 * that the Flag's `code` or `category` carries; undefined when it carries none.
 */
export function planCodingOf(
  resource: JsonObject,
  options: ResolvedHealthOptions,
): PlanTypeCoding | undefined {
  const codings = [
    ...codingsAt(resource, FLAG.code, false),
    ...codingsAt(resource, FLAG.category, true),
  ];
  return options.planTypeCodings.find((candidate) =>
    codings.some((coding) => coding.system === candidate.system && coding.code === candidate.code),
  );
}

/** Whether an active Flag maps to a case (what a challenge's `about` may point at). */
export function isActivePlan(resource: JsonObject, options: ResolvedHealthOptions): boolean {
  return resource[FLAG.status] === 'active' && Boolean(planCodingOf(resource, options)?.planType);
}

/**
 * A child-protection Flag (CP-IS) becomes a `case` record about its subject Patient, with the
 * plan's type and period. Inactive Flags, Flags entered in error and other Flags are skipped.
 */
export function mapFlag(source: HealthSource, options: ResolvedHealthOptions): MapResult {
  const resource = source.resource!;
  try {
    const sourceId = requiredSourceId(resource, source.fullUrl);
    const plan = planCodingOf(resource, options);
    if (plan === undefined) {
      return skip(
        'not a child-protection Flag: its code and category carry none of the CP-IS codings ' +
          'the plugin reads',
      );
    }
    const status = optionalString(resource, FLAG.status, FLAG.status);
    if (status === 'inactive' || status === 'entered-in-error') {
      return skip(`the Flag is ${status}`);
    }
    if (status !== 'active') {
      return reject(FLAG.status, 'must be active, inactive or entered-in-error');
    }
    if (plan.planType === null) {
      return skip(plan.skipReason ?? `Flags coded ${plan.system}|${plan.code} are not read`);
    }
    const subject = referenceAt(resource, FLAG.subject, FLAG.subject);
    if (subject === undefined) return reject(FLAG.subject, 'the Flag names no subject Patient');
    const patient = requirePatient(source.refs, subject, FLAG.subject);

    const period = optionalObject(resource, FLAG.period, FLAG.period);
    const dateAt = (key: string) => {
      const value = period && optionalString(period, key, path(FLAG.period, key));
      return value === undefined ? undefined : dateOfDateTime(value, path(FLAG.period, key));
    };
    const planStart = dateAt(PERIOD.start);
    const planEnd = dateAt(PERIOD.end);
    if (planStart !== undefined && planEnd !== undefined && planEnd < planStart) {
      return reject(path(FLAG.period, PERIOD.end), 'is before period.start');
    }
    const content = {
      kind: 'case' as const,
      sourceId,
      child: patient.child,
      planType: plan.planType,
      ...(planStart ? { planStart } : {}),
      ...(planEnd ? { planEnd } : {}),
      // The ingesting agency is always involved; the Flag names no other.
      involvedAgencies: [],
    };
    return records({
      ...content,
      sourceVersion: sourceVersionOf(baseVersionOf(resource), content, true),
    });
  } catch (error) {
    if (error instanceof FieldError) return reject(error.field, error.message);
    throw error;
  }
}
