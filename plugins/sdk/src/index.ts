export * from './plugin.js';
export * from './report.js';
export * from './runner.js';
export * from './memory-applier.js';
export { csvRows, type CsvRow } from './helpers/csv-rows.js';
// What a plugin's code names, so a plugin needs the SDK alone.
export {
  AgencyKind,
  DisagreementCategory,
  PlanType,
  type CanonicalRecord,
  type CanonicalRecordInput,
} from '@hub/schema';
