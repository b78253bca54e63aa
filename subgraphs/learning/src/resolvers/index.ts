export { DebriefResolver } from './debrief.resolver.js';
export { EscalationLearningResolver } from './escalation-learning.resolver.js';
export { EscalationStatsResolver } from './escalation-stats.resolver.js';
export { LearningThemeResolver } from './learning-theme.resolver.js';
export { ProtocolAmendmentResolver } from './protocol-amendment.resolver.js';
