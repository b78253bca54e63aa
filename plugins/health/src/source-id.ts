import { FieldError, type JsonObject } from './fhir.readers.js';

/** FHIR's `id` type: 1 to 64 letters, digits, `-` and `.`. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The longest sourceId a canonical record takes. */
const MAX_SOURCE_ID = 200;

/**
 * The id of a resource in the source system: `Patient/<id>`, or the entry's fullUrl when the
 * resource has no id (a transaction's `urn:uuid:` entries). Undefined when it has neither.
 */
export function resourceSourceId(
  resource: JsonObject,
  fullUrl: string | undefined,
): string | undefined {
  const id = resource.id;
  if (typeof resource.resourceType === 'string' && typeof id === 'string' && FHIR_ID.test(id)) {
    return `${resource.resourceType}/${id}`;
  }
  return fullUrl !== undefined && fullUrl.trim() !== '' ? fullUrl : undefined;
}

/** {@link resourceSourceId}, for a resource the plugin maps: absent or unusable is an error. */
export function requiredSourceId(resource: JsonObject, fullUrl: string | undefined): string {
  const id = resource.id;
  if (id !== undefined && (typeof id !== 'string' || !FHIR_ID.test(id))) {
    throw new FieldError('id', 'must be 1 to 64 letters, digits, "-" or "."');
  }
  const sourceId = resourceSourceId(resource, fullUrl);
  if (sourceId === undefined) {
    throw new FieldError(
      'id',
      'the resource has no id (nor, in a Bundle, a fullUrl): without one, a second ingest of it ' +
        'could not be recognised',
    );
  }
  if (sourceId.length > MAX_SOURCE_ID) {
    throw new FieldError('fullUrl', `is longer than ${MAX_SOURCE_ID} characters`);
  }
  return sourceId;
}
