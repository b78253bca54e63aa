/**
 * Which FHIR XML elements repeat, so that an XML resource converts to the JSON shape (arrays for
 * repeating elements). FHIR XML cannot say it: a repeating element that occurs once looks like a
 * single one. The lists cover the resources the plugin reads, from the R4 definitions; other
 * resources convert too, and as the plugin only skips them, their shape does not matter.
 */

/** Repeating elements of a resource, by resource type (R4). */
const RESOURCE_REPEATS: Record<string, readonly string[]> = {
  Bundle: ['link', 'entry'],
  Patient: [
    'identifier',
    'name',
    'telecom',
    'address',
    'photo',
    'contact',
    'communication',
    'generalPractitioner',
    'link',
  ],
  Practitioner: [
    'identifier',
    'name',
    'telecom',
    'address',
    'photo',
    'qualification',
    'communication',
  ],
  Organization: ['identifier', 'type', 'alias', 'telecom', 'address', 'contact', 'endpoint'],
  Flag: ['identifier', 'category'],
  Communication: [
    'identifier',
    'instantiatesCanonical',
    'instantiatesUri',
    'basedOn',
    'partOf',
    'inResponseTo',
    'category',
    'medium',
    'about',
    'recipient',
    'reasonCode',
    'reasonReference',
    'payload',
    'note',
  ],
  Task: [
    'identifier',
    'basedOn',
    'partOf',
    'performerType',
    'insurance',
    'note',
    'relevantHistory',
    'input',
    'output',
  ],
};

/** Every resource's repeating elements (Resource and DomainResource). */
const COMMON_REPEATS = ['contained', 'extension', 'modifierExtension'];

/** Repeating elements of the data types the plugin reads and of Bundle.entry. */
const NESTED_REPEATS = new Set([
  'extension',
  'modifierExtension',
  // CodeableConcept
  'coding',
  // HumanName
  'given',
  'prefix',
  'suffix',
  // Address
  'line',
  // Meta
  'profile',
  'security',
  'tag',
  // Bundle.entry
  'link',
]);

const BY_TYPE = new Map(
  Object.entries(RESOURCE_REPEATS).map(([type, names]) => [
    type,
    new Set([...names, ...COMMON_REPEATS]),
  ]),
);
const COMMON = new Set(COMMON_REPEATS);

/** Whether a child element of a resource of this type repeats. */
export function repeatsInResource(resourceType: string, element: string): boolean {
  return (BY_TYPE.get(resourceType) ?? COMMON).has(element);
}

/** Whether a child element of a data type (or of a Bundle entry) repeats. */
export function repeatsInDataType(element: string): boolean {
  return NESTED_REPEATS.has(element);
}
