export { AmendmentEvidence } from './amendment-evidence.entity.js';
export { Debrief } from './debrief.entity.js';
export { EscalationTagging } from './escalation-tagging.entity.js';
export { EscalationTheme } from './escalation-theme.entity.js';
export { LearningSetting } from './learning-setting.entity.js';
export { LearningTheme } from './learning-theme.entity.js';
export { ProtocolAmendment } from './protocol-amendment.entity.js';
