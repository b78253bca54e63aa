import { z } from 'zod';
import { AgencyKind, DisagreementCategory, PlanType } from '../enums.js';

/**
 * Canonical records: what an agency plugin turns its system's data into, and all the hub
 * accepts from it. Each record names its source (`sourceId`, `sourceVersion`), so applying it
 * twice changes nothing; the runner validates every record against these schemas before it
 * reaches the hub, and the hub applies it through the subgraphs' own rules.
 */

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/** A LocalDate, `YYYY-MM-DD`, that is a real calendar date. */
export const localDateSchema = z.iso.date('must be a calendar date, YYYY-MM-DD');

/** A strong identifier of a child in an agency system (NHS number, UPN, police person id). */
export const childIdentifierSchema = z.object({
  /** The identifier's system, e.g. `https://fhir.nhs.uk/Id/nhs-number`. */
  system: text(200),
  value: text(100),
});

/** The child a record is about, as the source system records them. */
export const childSubjectSchema = z.object({
  name: text(200),
  dateOfBirth: localDateSchema.optional(),
  identifiers: z.array(childIdentifierSchema).max(20).default([]),
});

/**
 * An agency of the ingesting agency's board, named by kind, and by name where the board has
 * more than one agency of that kind. Hub ids are unknown to source systems.
 */
export const agencyRefSchema = z.object({
  kind: z.enum(AgencyKind),
  name: text(200).optional(),
});

/** A practitioner in the hub's directory, named by the email address the directory holds. */
export const practitionerRefSchema = z.object({
  email: z.email('must be an email address').max(320),
});

const sourceFields = {
  /** The record's id in the source system: stable across exports of the same record. */
  sourceId: text(200),
  /** Changes when the source record changes (a version id, a last-updated time, a row hash). */
  sourceVersion: text(200),
};

/** A child known to the agency, with no case yet (e.g. a FHIR Patient, a CTF pupil). */
export const childRecordSchema = z.object({
  kind: z.literal('child'),
  ...sourceFields,
  child: childSubjectSchema,
});

/** A case about a child, with the agencies involved (the ingesting agency always is). */
export const caseRecordSchema = z.object({
  kind: z.literal('case'),
  ...sourceFields,
  child: childSubjectSchema,
  planType: z.enum(PlanType),
  /** When the plan started and ended, where the source says (e.g. a CP-IS Flag's period). */
  planStart: localDateSchema.optional(),
  planEnd: localDateSchema.optional(),
  leadAgency: agencyRefSchema.optional(),
  involvedAgencies: z.array(agencyRefSchema).max(20).default([]),
});

/** The ways a disagreement may be categorised (the contract's DisagreementCategory). */
export const disagreementCategorySchema = z.enum(DisagreementCategory);

/**
 * A professional disagreement logged in the agency's system: raised as an escalation on behalf
 * of `raisedBy`, about the case `caseSourceId` names (a case record of the same plugin).
 */
export const disagreementRecordSchema = z.object({
  kind: z.literal('disagreement'),
  ...sourceFields,
  caseSourceId: text(200),
  raisedBy: practitionerRefSchema,
  respondingAgency: agencyRefSchema,
  respondent: practitionerRefSchema.optional(),
  category: disagreementCategorySchema,
  ground: z.enum(['DECISION_CHALLENGE', 'ACTION_NOT_TAKEN']),
  summary: text(4000),
  desiredOutcome: text(4000),
  immediateRisk: z.boolean().default(false),
  /** When the disagreement was logged in the source system (ISO-8601 instant). */
  occurredAt: z.iso.datetime({ offset: true }),
});

/** A later entry about a disagreement: a record on its escalation, never a second escalation. */
export const escalationEntryRecordSchema = z.object({
  kind: z.literal('escalation-record'),
  ...sourceFields,
  disagreementSourceId: text(200),
  author: practitionerRefSchema,
  recordKind: z.enum(['DISCUSSION', 'ACTION', 'DECISION', 'CONSULTATION', 'NOTE']),
  text: text(8000),
  occurredAt: z.iso.datetime({ offset: true }),
});

/** Every canonical record, told apart by `kind`. */
export const canonicalRecordSchema = z.discriminatedUnion('kind', [
  childRecordSchema,
  caseRecordSchema,
  disagreementRecordSchema,
  escalationEntryRecordSchema,
]);

export type ChildIdentifier = z.infer<typeof childIdentifierSchema>;
export type ChildSubjectData = z.infer<typeof childSubjectSchema>;
export type AgencyRef = z.infer<typeof agencyRefSchema>;
export type PractitionerRef = z.infer<typeof practitionerRefSchema>;
export type ChildRecord = z.infer<typeof childRecordSchema>;
export type CaseRecord = z.infer<typeof caseRecordSchema>;
export type DisagreementRecord = z.infer<typeof disagreementRecordSchema>;
export type EscalationEntryRecord = z.infer<typeof escalationEntryRecordSchema>;
export type CanonicalRecord = z.infer<typeof canonicalRecordSchema>;
/** What a plugin writes: defaults (e.g. `identifiers: []`) may be left out. */
export type CanonicalRecordInput = z.input<typeof canonicalRecordSchema>;
