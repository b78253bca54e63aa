/**
 * Identifier systems the police plugin records a child under. Other plugins' tests use them to
 * build linking cases (one child known to the police and to a school or a health service).
 */

/** The NHS number, as NHS England's FHIR identifiers name it (the health plugin uses the same). */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

/**
 * A force's person identifier (a Police National Computer id or the force's own person URN).
 * No published system names it, so the hub defines one; a board with more than one force
 * configures a system per force (the plugin's `personIdSystem` option), since force-local ids
 * may collide.
 */
export const POLICE_PERSON_ID_SYSTEM = 'https://fhir.hub.example/Id/police-person-id';
