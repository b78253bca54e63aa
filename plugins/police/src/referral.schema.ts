import { AgencyKind, DisagreementCategory } from '@hub/schema';
import { z } from 'zod';
import { isValidNhsNumber, normalNhsNumber } from './nhs-number.validation.js';

/**
 * A vulnerability referral (Public Protection Notice) as the export holds it: the same fields in
 * JSON and, flattened to dotted column names, in CSV. The README's table is the format's
 * documentation; keep the two together.
 *
 * Messages that start in lower case are completed with the field's path when a referral is
 * rejected (`riskGrading must be High, Medium or Standard`).
 */

/** The risk gradings a PPN carries, as written in the export (compared without regard to case). */
export const RISK_GRADINGS = ['High', 'Medium', 'Standard'] as const;
export type RiskGrading = (typeof RISK_GRADINGS)[number];

const missingOr = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const text = (max: number) =>
  z
    .string({ error: missingOr('text') })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const instant = z.iso.datetime({
  offset: true,
  error: missingOr('an ISO-8601 date-time with an offset, e.g. 2026-03-01T22:40:00Z'),
});

const localDate = z.iso.date({ error: missingOr('a calendar date, YYYY-MM-DD') });

/** An enumeration's value written as its name in any case, with spaces or hyphens for `_`. */
const named = <T extends string>(values: readonly T[]) =>
  z
    .string({ error: missingOr(`one of ${values.join(', ')}`) })
    .transform((value) =>
      value
        .trim()
        .toUpperCase()
        .replace(/['’]/g, '')
        .replace(/[\s-]+/g, '_'),
    )
    .pipe(z.enum(values as [T, ...T[]], { error: `must be one of ${values.join(', ')}` }));

const object = <S extends z.ZodRawShape>(shape: S) =>
  z.object(shape, { error: missingOr('an object') });

/** Someone the referral names: the person it is about, or the child it concerns. */
const personSchema = object({
  /** The force's id for the person (PNC id or force person URN). */
  personId: text(100),
  name: text(200),
  dateOfBirth: localDate.optional(),
});

export const referralSchema = object({
  referralId: text(100),
  /** Optional revision number; the referral's source version when given. */
  version: z
    .union([z.int().positive('must be a positive whole number'), text(100)], {
      error: 'must be a positive whole number or text',
    })
    .optional(),
  lastModified: instant,
  referredAt: instant,
  riskGrading: z
    .string({ error: missingOr('High, Medium or Standard') })
    .transform((value) => RISK_GRADINGS.find((g) => g.toLowerCase() === value.trim().toLowerCase()))
    .pipe(z.enum(RISK_GRADINGS, { error: 'must be High, Medium or Standard' })),
  person: personSchema,
  child: personSchema
    .extend({
      nhsNumber: z
        .string({ error: missingOr('text') })
        .transform(normalNhsNumber)
        .refine((digits) => /^\d{10}$/.test(digits), 'must be 10 digits')
        .refine(isValidNhsNumber, 'NHS number fails its check digit')
        .optional(),
    })
    .optional(),
  officer: object({
    email: z.email({ error: missingOr('an email address') }).optional(),
    collarNumber: text(20).optional(),
  }).optional(),
  narrative: text(20_000).optional(),
  referredTo: object({
    kind: named(Object.values(AgencyKind)),
    name: text(200).optional(),
  }),
  escalation: object({
    category: named(Object.values(DisagreementCategory)),
    ground: named(['DECISION_CHALLENGE', 'ACTION_NOT_TAKEN'] as const),
    summary: text(4000),
    desiredOutcome: text(4000),
    /** When the officer disagreed; the referral's `referredAt` when not given. */
    raisedAt: instant.optional(),
  }).optional(),
});

export type Referral = z.infer<typeof referralSchema>;

/** The first thing wrong with a referral: the field's path and a message naming it. */
export function referralProblem(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'referral';
  const message = /^[a-z]/.test(issue.message) ? `${field} ${issue.message}` : issue.message;
  return { field, message };
}
