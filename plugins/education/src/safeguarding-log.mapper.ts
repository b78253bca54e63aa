import { records, reject, skip, type MapResult } from '@hub/plugin-sdk';
import { AgencyKind, DisagreementCategory, PlanType, type CanonicalRecordInput } from '@hub/schema';
import { UPN_SYSTEM } from './identifier-systems.js';
import type { LogColumn, LogRow } from './safeguarding-log.reader.js';
import { contentVersion } from './source-version.js';
import { checkUpn } from './upn.validation.js';
import { date, email, instant, limited, oneOf, optional, required, ValueError } from './values.js';

/** How a safeguarding-log row is read. */
export interface LogMapOptions {
  /** The category (compared without regard to case) that marks a row as a disagreement. */
  disagreementCategory: string;
}

/** A canonical record of one kind before its version, which is made from the rest. */
type Unversioned<K extends CanonicalRecordInput['kind']> = Omit<
  Extract<CanonicalRecordInput, { kind: K }>,
  'sourceVersion'
>;

const GROUNDS = ['DECISION_CHALLENGE', 'ACTION_NOT_TAKEN'] as const;
const RECORD_KINDS = ['DISCUSSION', 'ACTION', 'DECISION', 'CONSULTATION', 'NOTE'] as const;
const YES = ['yes', 'y', 'true', '1'];
const NO = ['no', 'n', 'false', '0'];

/**
 * A row of the log → canonical records. Only rows whose categories include the disagreement
 * category are the hub's business: one without `follows_incident_id` is a new disagreement (a
 * `case` for the pupil and a `disagreement`), one with it an `escalation-record` on the
 * disagreement it follows. Every other row is skipped unread: the hub takes disagreements, not a
 * school's whole log.
 */
export function mapLogRow(row: LogRow, options: LogMapOptions): MapResult {
  const value = (column: LogColumn) => row.values[column];
  const wanted = options.disagreementCategory.trim().toLowerCase();
  const categories = (value('categories') ?? '')
    .split(';')
    .map((category) => category.trim().replace(/\s+/g, ' ').toLowerCase());
  if (!categories.includes(wanted)) {
    return skip(`not a ${options.disagreementCategory}: the hub takes disagreements only`);
  }
  try {
    const incident = required(value('incident_id'), 'incident_id', 150);
    const upnCheck = checkUpn(required(value('upn'), 'upn'));
    if (!upnCheck.ok) return reject('upn', upnCheck.message);
    const upn = upnCheck.upn;
    const occurredAt = instant(required(value('logged_at'), 'logged_at'), 'logged_at');
    const staff = email(required(value('staff_email'), 'staff_email', 320), 'staff_email');
    const summary = required(value('summary'), 'summary');
    const actions = optional(value('actions'));
    const follows = optional(value('follows_incident_id'));
    const version = optional(value('version'));

    if (follows !== undefined) {
      const recordKind = optional(value('record_kind'));
      const entry = {
        kind: 'escalation-record',
        sourceId: `incident:${incident}`,
        disagreementSourceId: `incident:${limited(follows, 'follows_incident_id', 150)}`,
        author: { email: staff },
        recordKind: recordKind
          ? oneOf(recordKind, RECORD_KINDS, 'record_kind')
          : actions
            ? 'ACTION'
            : 'NOTE',
        text: withActions(summary, actions, 8000),
        occurredAt,
      } satisfies Unversioned<'escalation-record'>;
      return records({
        ...entry,
        sourceVersion: version ?? contentVersion(Object.values(entry)),
      });
    }

    const child = {
      name: required(value('pupil_name'), 'pupil_name', 200),
      dateOfBirth: optionalDate(value('date_of_birth'), 'date_of_birth'),
      identifiers: [{ system: UPN_SYSTEM, value: upn }],
    };
    const planType = optional(value('plan_type'));
    const caseRecord = {
      kind: 'case',
      sourceId: `upn:${upn}/case`,
      child,
      planType: planType ? oneOf(planType, Object.values(PlanType), 'plan_type') : PlanType.NONE,
      // The ingesting school is always involved; the responding agency becomes involved when
      // the hub raises the escalation against it.
      involvedAgencies: [],
    } satisfies Unversioned<'case'>;
    const agencyName = optional(value('responding_agency_name'));
    const disagreement = {
      kind: 'disagreement',
      sourceId: `incident:${incident}`,
      caseSourceId: caseRecord.sourceId,
      raisedBy: { email: staff },
      respondingAgency: {
        kind: oneOf(
          required(value('responding_agency_kind'), 'responding_agency_kind'),
          Object.values(AgencyKind),
          'responding_agency_kind',
        ),
        ...(agencyName && { name: limited(agencyName, 'responding_agency_name', 200) }),
      },
      category: oneOf(
        required(value('disagreement_category'), 'disagreement_category'),
        Object.values(DisagreementCategory),
        'disagreement_category',
      ),
      ground: oneOf(required(value('ground'), 'ground'), GROUNDS, 'ground'),
      summary: withActions(summary, actions, 4000),
      desiredOutcome: required(value('desired_outcome'), 'desired_outcome', 4000),
      immediateRisk: yesNo(value('immediate_risk'), 'immediate_risk'),
      occurredAt,
    } satisfies Unversioned<'disagreement'>;
    return records(
      // The case's version comes from the case alone, so every disagreement about the pupil
      // carries the same case record and only a change to the pupil or plan updates it.
      { ...caseRecord, sourceVersion: contentVersion(Object.values(caseRecord)) },
      {
        ...disagreement,
        sourceVersion: version ?? contentVersion(Object.values(disagreement)),
      },
    );
  } catch (error) {
    if (error instanceof ValueError) return reject(error.field, error.message);
    throw error;
  }
}

/** The summary with the actions taken after it, within the hub's limit for the text. */
function withActions(summary: string, actions: string | undefined, max: number): string {
  limited(summary, 'summary', max);
  const text = actions === undefined ? summary : `${summary}\n\nActions taken: ${actions}`;
  if (text.length > max) {
    throw new ValueError(
      'actions',
      `summary and actions together are longer than ${max} characters`,
    );
  }
  return text;
}

function optionalDate(value: string | undefined, field: string): string | undefined {
  const text = optional(value);
  return text === undefined ? undefined : date(text, field);
}

function yesNo(value: string | undefined, field: string): boolean {
  const text = optional(value)?.toLowerCase();
  if (text === undefined || NO.includes(text)) return false;
  if (YES.includes(text)) return true;
  throw new ValueError(field, `${field} must be yes or no (or empty for no)`);
}
