export * from './case-escalations.resolver.js';
export * from './escalation-lifecycle.resolver.js';
export * from './escalation-parts.resolver.js';
export * from './escalation.resolver.js';
export * from './policy.resolver.js';
