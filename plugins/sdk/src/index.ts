export * from './plugin.js';
export * from './report.js';
