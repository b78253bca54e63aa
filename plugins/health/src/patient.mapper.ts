import { records, reject, type MapResult } from '@hub/plugin-sdk';
import type { ChildIdentifier, ChildSubjectData } from '@hub/schema';
import type { HumanName, Identifier, Patient } from 'fhir/r4.js';
import {
  FieldError,
  boundedText,
  fullDate,
  objectArray,
  optionalString,
  path,
  stringArray,
  type JsonObject,
} from './fhir.readers.js';
import type { ResolvedHealthOptions } from './health.options.js';
import { NHS_NUMBER_SYSTEM, nhsNumberProblem } from './nhs-number.validator.js';
import { requiredSourceId } from './source-id.js';
import { baseVersionOf, sourceVersionOf } from './source-version.js';

// Field names checked against the FHIR R4 types, so a typo is a compile error.
const PATIENT = {
  name: 'name',
  birthDate: 'birthDate',
  identifier: 'identifier',
} as const satisfies Record<string, keyof Patient>;
const NAME = {
  use: 'use',
  given: 'given',
  family: 'family',
  text: 'text',
} as const satisfies Record<string, keyof HumanName>;
const IDENTIFIER = { use: 'use', system: 'system', value: 'value' } as const satisfies Record<
  string,
  keyof Identifier
>;

/** The canonical record's limits (schema/src/canonical). */
const MAX_NAME = 200;
const MAX_IDENTIFIER_VALUE = 100;
const MAX_IDENTIFIERS = 20;

/** A Patient becomes a `child` record. */
export function mapPatient(
  resource: JsonObject,
  fullUrl: string | undefined,
  options: ResolvedHealthOptions,
): MapResult {
  try {
    const sourceId = requiredSourceId(resource, fullUrl);
    const child = readChild(resource, options);
    const content = { kind: 'child' as const, sourceId, child };
    return records({
      ...content,
      sourceVersion: sourceVersionOf(baseVersionOf(resource), content, false),
    });
  } catch (error) {
    if (error instanceof FieldError) return reject(error.field, error.message);
    throw error;
  }
}

/**
 * The child a Patient describes: the `official` name (else the first), as given names and the
 * family name (else the name's text); the birth date; and the identifiers of allowed systems,
 * each NHS number checked by its check digit. Throws a {@link FieldError} naming what is wrong.
 */
export function readChild(resource: JsonObject, options: ResolvedHealthOptions): ChildSubjectData {
  const names = objectArray(resource, PATIENT.name, PATIENT.name);
  if (names.length === 0) throw new FieldError(PATIENT.name, 'Patient has no name');
  let chosen = names.findIndex((name) => name[NAME.use] === 'official');
  if (chosen === -1) chosen = 0;
  const at = path(PATIENT.name, chosen);
  const name = names[chosen]!;
  const given = stringArray(name, NAME.given, path(at, NAME.given));
  const family = optionalString(name, NAME.family, path(at, NAME.family));
  let full = [...given, family ?? '']
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
  if (full === '') full = optionalString(name, NAME.text, path(at, NAME.text))?.trim() ?? '';
  if (full === '') throw new FieldError(at, 'has no given name, family name or text');
  if (full.length > MAX_NAME) throw new FieldError(at, `is longer than ${MAX_NAME} characters`);

  const birthDate = optionalString(resource, PATIENT.birthDate, PATIENT.birthDate);
  const dateOfBirth = birthDate === undefined ? undefined : fullDate(birthDate, PATIENT.birthDate);

  const identifiers: ChildIdentifier[] = [];
  objectArray(resource, PATIENT.identifier, PATIENT.identifier).forEach((identifier, n) => {
    const here = path(PATIENT.identifier, n);
    // A superseded identifier is history, not who the child is now.
    if (identifier[IDENTIFIER.use] === 'old') return;
    const system = optionalString(identifier, IDENTIFIER.system, path(here, IDENTIFIER.system));
    if (system === undefined || !options.identifierSystems.includes(system)) return;
    const valueField = path(here, IDENTIFIER.value);
    const value = optionalString(identifier, IDENTIFIER.value, valueField);
    if (value === undefined) throw new FieldError(valueField, 'has no value');
    if (system === NHS_NUMBER_SYSTEM) {
      const problem = nhsNumberProblem(value);
      if (problem) throw new FieldError(valueField, problem);
    }
    const kept = boundedText(value, valueField, MAX_IDENTIFIER_VALUE);
    if (!identifiers.some((known) => known.system === system && known.value === kept)) {
      identifiers.push({ system, value: kept });
    }
  });
  if (identifiers.length > MAX_IDENTIFIERS) {
    throw new FieldError(PATIENT.identifier, `holds more than ${MAX_IDENTIFIERS} identifiers`);
  }
  return { name: full, ...(dateOfBirth ? { dateOfBirth } : {}), identifiers };
}
