import { PanelsInitialMigration } from './initial.migration.js';

/** Every migration of the panels subgraph, oldest first. Never edit one that has shipped: add one. */
export const panelsMigrations = [
  { name: 'Migration20261201000300_panels_initial', class: PanelsInitialMigration },
];
