import { disagreementRecordSchema, localDateSchema, practitionerRefSchema } from '@hub/schema';

/**
 * Reading one source value into what a canonical record holds. Each check answers the value, or
 * throws a {@link ValueError} naming the source's field, which the mapper turns into a rejection.
 */
export class ValueError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The value, trimmed; `undefined` when absent or blank. */
export function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** A value that must be there, at most `max` characters when a limit is given. */
export function required(value: string | undefined, field: string, max?: number): string {
  const text = optional(value);
  if (text === undefined) throw new ValueError(field, `${field} is missing`);
  return max === undefined ? text : limited(text, field, max);
}

/** A value of at most `max` characters: the hub's limit for what it goes into. */
export function limited(text: string, field: string, max: number): string {
  if (text.length > max) throw new ValueError(field, `${field} is longer than ${max} characters`);
  return text;
}

/** A calendar date, `YYYY-MM-DD`. */
export function date(text: string, field: string): string {
  if (!localDateSchema.safeParse(text).success) {
    throw new ValueError(field, `${field} must be a calendar date, YYYY-MM-DD`);
  }
  return text;
}

/** An ISO-8601 date-time with a UTC offset (`2026-03-02T14:05:00Z`, `…+01:00`). */
export function instant(text: string, field: string): string {
  if (!disagreementRecordSchema.shape.occurredAt.safeParse(text).success) {
    throw new ValueError(
      field,
      `${field} must be an ISO-8601 date-time with an offset, e.g. 2026-03-02T14:05:00Z`,
    );
  }
  return text;
}

/** An email address, as the hub's directory holds practitioners by. */
export function email(text: string, field: string): string {
  if (!practitionerRefSchema.shape.email.safeParse(text).success) {
    throw new ValueError(field, `${field} must be an email address`);
  }
  return text;
}

/**
 * One of an enumeration's values, written as its name in any case with spaces or hyphens for
 * underscores and apostrophes left out: `Children's social care` reads as
 * `CHILDRENS_SOCIAL_CARE`.
 */
export function oneOf<T extends string>(text: string, values: readonly T[], field: string): T {
  const name = text
    .toUpperCase()
    .replace(/['’]/g, '')
    .replace(/[\s-]+/g, '_');
  const found = values.find((value) => value === name);
  if (found === undefined)
    throw new ValueError(field, `${field} must be one of ${values.join(', ')}`);
  return found;
}
