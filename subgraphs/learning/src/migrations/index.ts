import { LearningInitialMigration } from './initial.migration.js';
import { StatsBoardVersionMigration } from './stats-board-version.migration.js';
import { StatsRowVersionMigration } from './stats-row-version.migration.js';

/** Every migration of the learning subgraph, oldest first. Never edit one that has shipped: add one. */
export const learningMigrations = [
  { name: 'Migration20261201000400_learning_initial', class: LearningInitialMigration },
  { name: 'Migration20261224000100_stats_board_version', class: StatsBoardVersionMigration },
  { name: 'Migration20261226000100_stats_row_version', class: StatsRowVersionMigration },
];
