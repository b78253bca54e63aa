export {
  checkConformance,
  type BadFixture,
  type ConformanceFixture,
  type ConformanceFixtures,
  type GoodFixture,
} from './conformance.js';
export { describeConformance } from './describe-conformance.js';
export { chunkedBody, outcomes, type Outcome } from './plugin-outcomes.js';
