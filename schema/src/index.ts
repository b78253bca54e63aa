export * from './enums.js';
export * from './canonical/index.js';
