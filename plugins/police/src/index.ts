export { policePlugin, type PolicePluginOptions } from './police.plugin.js';
export { NHS_NUMBER_SYSTEM, POLICE_PERSON_ID_SYSTEM } from './identifier-systems.js';
export { isValidNhsNumber, nhsCheckDigit } from './nhs-number.validation.js';
export {
  RISK_GRADINGS,
  referralSchema,
  type Referral,
  type RiskGrading,
} from './referral.schema.js';
export type { ReferralSource } from './referral.mapper.js';
export { OPTIONAL_COLUMNS, REQUIRED_COLUMNS } from './referral-csv.reader.js';
