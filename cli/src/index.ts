export * from './demo/escalations.seed.js';
export * from './demo/panels.seed.js';
export * from './demo/seed.js';
export * from './graphql-client.js';
export * from './hub.js';
export * from './subgraphs.js';
export * from './commands/compose.command.js';
export * from './serve/services.js';
