/**
 * The identifier system under which the plugin records a pupil's UPN. It is the DfE's page for
 * unique pupil numbers: no published FHIR or URI system names the UPN, and a URL the DfE owns
 * says what the value is to anyone reading it. Other plugins' tests use it to build linking
 * cases (a child known to a school and to another agency).
 */
export const UPN_SYSTEM = 'https://www.gov.uk/government/publications/unique-pupil-numbers';
