import type { ChildSubjectData } from '@hub/schema';
import { FieldError } from './fhir.readers.js';
import type {
  OrganizationFacts,
  PatientFacts,
  PractitionerFacts,
  ReferenceFacts,
} from './health.source.js';

/**
 * What a mapper needs of the resources a resource refers to, read from the facts `parse`
 * attached. Each lookup that fails throws a {@link FieldError} on the referring field, saying
 * what was expected where.
 */

const BACKWARDS =
  'a Bundle must list the resources others refer to before them (the plugin reads it as a stream)';

/** The facts a reference points at, if `parse` found it. */
export function factsAt(
  refs: Record<string, ReferenceFacts>,
  reference: string,
): ReferenceFacts | undefined {
  return Object.prototype.hasOwnProperty.call(refs, reference) ? refs[reference] : undefined;
}

/** The Patient a reference points at, with the child it describes. */
export function requirePatient(
  refs: Record<string, ReferenceFacts>,
  reference: string,
  field: string,
): PatientFacts & { child: ChildSubjectData } {
  const facts = factsAt(refs, reference);
  if (facts === undefined) {
    throw new FieldError(field, `${reference} is not a Patient earlier in this body: ${BACKWARDS}`);
  }
  if (facts.kind !== 'Patient') {
    throw new FieldError(field, `${reference} is not a Patient`);
  }
  if (facts.child === undefined) {
    throw new FieldError(field, `${reference} was rejected (${facts.problem ?? 'unreadable'})`);
  }
  return facts as PatientFacts & { child: ChildSubjectData };
}

/** The email address of the Practitioner a reference points at. */
export function requirePractitionerEmail(
  refs: Record<string, ReferenceFacts>,
  reference: string,
  field: string,
): string {
  const facts = factsAt(refs, reference);
  if (facts === undefined) {
    throw new FieldError(
      field,
      `${reference} is not a Practitioner earlier in this body: ${BACKWARDS}`,
    );
  }
  if (facts.kind !== 'Practitioner') {
    throw new FieldError(field, `${reference} is not a Practitioner`);
  }
  if (facts.email === undefined) {
    throw new FieldError(
      field,
      `${reference} has no valid email address (a telecom with system "email"), which is how the ` +
        "hub's directory knows a practitioner",
    );
  }
  return facts.email;
}

/** The Organization or Practitioner a recipient or owner points at, if `parse` found one. */
export function responderAt(
  refs: Record<string, ReferenceFacts>,
  reference: string,
): OrganizationFacts | PractitionerFacts | undefined {
  const facts = factsAt(refs, reference);
  return facts?.kind === 'Organization' || facts?.kind === 'Practitioner' ? facts : undefined;
}
