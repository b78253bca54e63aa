export * from './escalation-panel.resolver.js';
export * from './panel-lifecycle.resolver.js';
export * from './panel-parts.resolver.js';
export * from './resolution-panel.resolver.js';
