export { healthPlugin } from './health.plugin.js';
export {
  CPIS_OBSERVATION_TYPE_SYSTEM,
  DEFAULT_AGENCY_KIND_CODINGS,
  DEFAULT_DESIRED_OUTCOME,
  DEFAULT_PLAN_TYPE_CODINGS,
  HUB_CODE_SYSTEMS,
  NHSE_FLAG_CATEGORY_SYSTEM,
  type AgencyKindCoding,
  type HealthPluginOptions,
  type PlanTypeCoding,
} from './health.options.js';
export type { HealthSource, ReferenceFacts } from './health.source.js';
export { NHS_NUMBER_SYSTEM, nhsNumberProblem } from './nhs-number.validator.js';
