/**
 * Small readers for untrusted FHIR JSON. A body can hold anything, so every field is checked
 * where it is read; a field of the wrong shape is a {@link FieldError} naming it the way the
 * ingest report does (`identifier[0].value`, relative to the resource).
 */

/** A field of the source resource is wrong: `field` says where, `message` why. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

/** A JSON object, as FHIR's complex types are. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Joins a field path: `path('name', 0, 'given')` is `name[0].given`. */
export function path(...parts: Array<string | number>): string {
  let joined = '';
  for (const part of parts) {
    if (typeof part === 'number') joined += `[${part}]`;
    else joined += joined === '' ? part : `.${part}`;
  }
  return joined;
}

/** An optional string field; absent is undefined, another type is an error. */
export function optionalString(object: JsonObject, key: string, field: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new FieldError(field, 'must be a string');
  return value;
}

/** An optional object field (a FHIR complex type). */
export function optionalObject(
  object: JsonObject,
  key: string,
  field: string,
): JsonObject | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new FieldError(field, 'must be an object');
  return value;
}

/** A repeating field: absent is empty; each item must be an object. */
export function objectArray(object: JsonObject, key: string, field: string): JsonObject[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldError(field, 'must be an array');
  value.forEach((item, n) => {
    if (!isObject(item)) throw new FieldError(path(field, n), 'must be an object');
  });
  return value as JsonObject[];
}

/** A repeating primitive field (`HumanName.given`): absent is empty; each item a string. */
export function stringArray(object: JsonObject, key: string, field: string): string[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldError(field, 'must be an array');
  value.forEach((item, n) => {
    if (typeof item !== 'string' && item !== null) {
      throw new FieldError(path(field, n), 'must be a string');
    }
  });
  // JSON primitive arrays carry null where only an extension is given (`_given`).
  return value.filter((item): item is string => typeof item === 'string');
}

/** A FHIR coding, read from a CodeableConcept. */
export interface CodingValue {
  system: string | undefined;
  code: string | undefined;
  /** Where the coding is, e.g. `category[1].coding[0]`. */
  field: string;
}

/** The codings of one CodeableConcept. */
export function codingsOf(concept: JsonObject, field: string): CodingValue[] {
  return objectArray(concept, 'coding', path(field, 'coding')).map((coding, n) => {
    const at = path(field, 'coding', n);
    return {
      system: optionalString(coding, 'system', path(at, 'system')),
      code: optionalString(coding, 'code', path(at, 'code')),
      field: at,
    };
  });
}

/** The codings of a CodeableConcept field, single (`Task.code`) or repeating (`category`). */
export function codingsAt(resource: JsonObject, key: string, repeating: boolean): CodingValue[] {
  if (!repeating) {
    const concept = optionalObject(resource, key, key);
    return concept ? codingsOf(concept, key) : [];
  }
  return objectArray(resource, key, key).flatMap((concept, n) => codingsOf(concept, path(key, n)));
}

/** The `reference` of a Reference field; undefined when the field or its reference is absent. */
export function referenceAt(object: JsonObject, key: string, field: string): string | undefined {
  const reference = optionalObject(object, key, field);
  if (!reference) return undefined;
  const value = optionalString(reference, 'reference', path(field, 'reference'));
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The references of a repeating Reference field, with where each is. */
export function referencesAt(
  object: JsonObject,
  key: string,
): Array<{ reference: string; field: string }> {
  const found: Array<{ reference: string; field: string }> = [];
  objectArray(object, key, key).forEach((item, n) => {
    const reference = optionalString(item, 'reference', path(key, n, 'reference'));
    if (reference !== undefined && reference.trim() !== '') {
      found.push({ reference, field: path(key, n) });
    }
  });
  return found;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// FHIR dateTime with a time: seconds required, fractions optional, and then a zone.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)$/;
const PARTIAL_DATE = /^\d{4}(-\d{2})?$/;

/** Whether `YYYY-MM-DD` is a real calendar date. */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** A FHIR `date` that must be a whole calendar date (`YYYY-MM-DD`). */
export function fullDate(value: string, field: string): string {
  if (isCalendarDate(value)) return value;
  if (PARTIAL_DATE.test(value)) {
    throw new FieldError(field, `must be a whole date (YYYY-MM-DD), not "${value}"`);
  }
  throw new FieldError(field, `must be a calendar date (YYYY-MM-DD), not "${value}"`);
}

/**
 * The calendar date of a FHIR `dateTime` as written (`2019-12-10T13:00:00+00:00` is
 * `2019-12-10`): the date in the source's own time zone, which is what a plan's start means.
 */
export function dateOfDateTime(value: string, field: string): string {
  if (isCalendarDate(value)) return value;
  const match = DATE_TIME.exec(value);
  if (match && isCalendarDate(match[1]!)) return match[1]!;
  throw new FieldError(field, `must be a date or a date and time with a time zone, not "${value}"`);
}

/** A FHIR `dateTime` that must be an instant: a date and time with a zone offset. */
export function instant(value: string, field: string): string {
  const match = DATE_TIME.exec(value);
  if (match && isCalendarDate(match[1]!)) return value;
  throw new FieldError(
    field,
    `must be a date and time with a time zone (e.g. 2024-05-01T09:30:00+01:00), not "${value}"`,
  );
}

/** Text for a canonical field: trimmed, not empty, at most `max` characters. */
export function boundedText(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new FieldError(field, 'must not be empty');
  if (trimmed.length > max) throw new FieldError(field, `is longer than ${max} characters`);
  return trimmed;
}
