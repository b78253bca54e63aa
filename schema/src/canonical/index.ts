export * from './canonical.records.js';
