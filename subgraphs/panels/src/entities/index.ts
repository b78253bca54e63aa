export * from './panel-decision.entity.js';
export * from './panel-member.entity.js';
export * from './panel-outstanding-issue.entity.js';
export * from './representation.entity.js';
export * from './resolution-panel.entity.js';
