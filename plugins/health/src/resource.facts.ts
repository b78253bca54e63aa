import { practitionerRefSchema } from '@hub/schema';
import type { ContactPoint, Organization, Practitioner } from 'fhir/r4.js';
import { threadOf, threadReferences } from './challenge.mapper.js';
import {
  FieldError,
  codingsAt,
  isObject,
  objectArray,
  optionalString,
  referenceAt,
  type JsonObject,
} from './fhir.readers.js';
import { isActivePlan } from './flag.mapper.js';
import type { ResolvedHealthOptions } from './health.options.js';
import type { ReferenceFacts } from './health.source.js';
import { readChild } from './patient.mapper.js';
import { resourceSourceId } from './source-id.js';
import { baseVersionOf } from './source-version.js';

const PRACTITIONER = { telecom: 'telecom' } as const satisfies Record<string, keyof Practitioner>;
const ORGANIZATION = { type: 'type', name: 'name' } as const satisfies Record<
  string,
  keyof Organization
>;
const CONTACT_POINT = { system: 'system', value: 'value', use: 'use' } as const satisfies Record<
  string,
  keyof ContactPoint
>;

/** The references of a resource that its mapping follows; never throws. */
export function followedReferences(resource: JsonObject): string[] {
  try {
    switch (resource.resourceType) {
      case 'Flag': {
        const subject = referenceAt(resource, 'subject', 'subject');
        return subject === undefined ? [] : [subject];
      }
      case 'Communication':
      case 'Task':
        return threadReferences(resource);
      default:
        return [];
    }
  } catch {
    // A malformed reference field: map reports it, naming the field.
    return [];
  }
}

/**
 * The facts of a resource that later resources may refer to, or undefined for one nothing
 * refers to usefully. `refs` are the resource's own resolved references (a reply's thread).
 * Never throws: a Patient that cannot be read is kept with its problem, so a Flag about it says
 * why it fails.
 */
export function factsOf(
  resource: JsonObject,
  fullUrl: string | undefined,
  refs: Record<string, ReferenceFacts>,
  options: ResolvedHealthOptions,
): ReferenceFacts | undefined {
  const sourceId = resourceSourceId(resource, fullUrl);
  if (sourceId === undefined) return undefined;
  try {
    switch (resource.resourceType) {
      case 'Patient':
        try {
          return {
            kind: 'Patient',
            sourceId,
            baseVersion: baseVersionOf(resource),
            child: readChild(resource, options),
          };
        } catch (error) {
          if (!(error instanceof FieldError)) throw error;
          return {
            kind: 'Patient',
            sourceId,
            baseVersion: null,
            problem: `${error.field}: ${error.message}`,
          };
        }
      case 'Practitioner':
        return { kind: 'Practitioner', reference: sourceId, email: emailOf(resource) };
      case 'Organization':
        return organizationFacts(resource, sourceId, options);
      case 'Flag':
        return isActivePlan(resource, options)
          ? { kind: 'Plan', caseSourceId: sourceId }
          : undefined;
      case 'Communication':
      case 'Task': {
        const thread = threadOf(resource, sourceId, refs, options);
        return thread && { kind: 'Thread', disagreementSourceId: thread.disagreementSourceId };
      }
      default:
        return undefined;
    }
  } catch (error) {
    // Malformed fields of a resource nothing could use anyway; map names them.
    if (error instanceof FieldError) return undefined;
    throw error;
  }
}

/**
 * The facts of a contained resource (`#id`) of `container`, for references within it. A
 * contained resource is read like a Bundle entry, with its container's id before the `#`.
 */
export function containedFacts(
  container: JsonObject,
  containerSourceId: string | undefined,
  reference: string,
  options: ResolvedHealthOptions,
): ReferenceFacts | undefined {
  if (!reference.startsWith('#') || !Array.isArray(container.contained)) return undefined;
  const id = reference.slice(1);
  const resource = (container.contained as unknown[]).find(
    (candidate) => isObject(candidate) && candidate.id === id,
  );
  if (!isObject(resource)) return undefined;
  const local = { ...resource, id: undefined };
  return factsOf(local, `${containerSourceId ?? ''}${reference}`, {}, options);
}

/** A practitioner's email address: a work one first, then any. */
function emailOf(resource: JsonObject): string | undefined {
  const emails = objectArray(resource, PRACTITIONER.telecom, PRACTITIONER.telecom)
    .filter((telecom) => telecom[CONTACT_POINT.system] === 'email')
    .sort(
      (a, b) => Number(b[CONTACT_POINT.use] === 'work') - Number(a[CONTACT_POINT.use] === 'work'),
    )
    .map((telecom) => telecom[CONTACT_POINT.value])
    .map((value) => (typeof value === 'string' ? value.trim() : undefined))
    // The canonical record's own check, so an address kept here is one the runner accepts.
    .filter((email) => email !== undefined && practitionerRefSchema.safeParse({ email }).success);
  return emails[0];
}

function organizationFacts(
  resource: JsonObject,
  sourceId: string,
  options: ResolvedHealthOptions,
): ReferenceFacts {
  const codings = codingsAt(resource, ORGANIZATION.type, true);
  const match = options.agencyKindCodings.find((candidate) =>
    codings.some((coding) => coding.system === candidate.system && coding.code === candidate.code),
  );
  const name = optionalString(resource, ORGANIZATION.name, ORGANIZATION.name)?.trim();
  return {
    kind: 'Organization',
    reference: sourceId,
    ...(match ? { agencyKind: match.agencyKind } : {}),
    ...(name && name.length <= 200 ? { name } : {}),
  };
}
