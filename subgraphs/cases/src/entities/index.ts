export * from './agency.entity.js';
export * from './board.entity.js';
export * from './case.entity.js';
export * from './case-agency.entity.js';
export * from './child-identifier.entity.js';
export * from './child-subject.entity.js';
export * from './practitioner.entity.js';
export * from './source-record.entity.js';
