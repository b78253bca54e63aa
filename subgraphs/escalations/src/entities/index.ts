export * from './agreed-outcome.entity.js';
export * from './escalation-policy.entity.js';
export * from './escalation-record.entity.js';
export * from './escalation-stage.entity.js';
export * from './escalation.entity.js';
export * from './issue-completion.entity.js';
export * from './outcome-confirmation.entity.js';
export * from './outstanding-issue.entity.js';
