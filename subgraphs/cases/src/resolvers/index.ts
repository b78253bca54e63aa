export * from './agency.resolver.js';
export * from './board.resolver.js';
export * from './case.resolver.js';
export * from './child-subject.resolver.js';
export * from './practitioner.resolver.js';
export * from './source-record.resolver.js';
