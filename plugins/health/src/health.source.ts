import type { AgencyKind, ChildSubjectData } from '@hub/schema';
import type { JsonObject } from './fhir.readers.js';

/**
 * One source record of a FHIR body: a resource (Bundle entry or the whole body) with what `parse`
 * resolved of the resources it refers to, so that `map` needs nothing else and stays pure.
 */
export interface HealthSource {
  /** The resource in FHIR JSON shape (an XML body is converted to it); null for a DELETE entry. */
  resource: JsonObject | null;
  /** The entry's position in the Bundle; null when the body is a single resource. */
  entryIndex: number | null;
  /** The entry's fullUrl, if any. */
  fullUrl?: string;
  /** The entry's request (transaction and batch Bundles). */
  request?: { method?: string; url?: string };
  /**
   * What each reference of the resource that the plugin follows points at, by the reference as
   * written (`Patient/123`, `urn:uuid:…`, `#contained`). A reference not found earlier in the body
   * (nor contained) is absent.
   */
  refs: Record<string, ReferenceFacts>;
}

/** The few fields kept of a resource that others refer to. */
export type ReferenceFacts =
  PatientFacts | PractitionerFacts | OrganizationFacts | PlanFacts | ThreadFacts | OtherFacts;

/** A Patient: the child as the hub records them, or why it could not be read. */
export interface PatientFacts {
  kind: 'Patient';
  sourceId: string;
  /** meta.versionId, else meta.lastUpdated; null when the Patient has neither. */
  baseVersion: string | null;
  child?: ChildSubjectData;
  /** Why the Patient was rejected (`identifier[0].value: NHS number fails its check digit`). */
  problem?: string;
}

/** A Practitioner: their email address, the key of the hub's directory. */
export interface PractitionerFacts {
  kind: 'Practitioner';
  reference: string;
  email?: string;
}

/** An Organization: its kind of agency, as its type says, and its name. */
export interface OrganizationFacts {
  kind: 'Organization';
  reference: string;
  agencyKind?: AgencyKind;
  name?: string;
}

/** A Flag that is a child's plan: the sourceId of the case it maps to. */
export interface PlanFacts {
  kind: 'Plan';
  caseSourceId: string;
}

/** A challenge, or a reply in its thread: the disagreement it belongs to. */
export interface ThreadFacts {
  kind: 'Thread';
  disagreementSourceId: string;
}

/** A resource of another type, or a Flag or Communication that is none of the above. */
export interface OtherFacts {
  kind: 'Other';
  resourceType: string;
}
