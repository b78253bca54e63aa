import { HubMigration } from '@hub/kit';

/** What the statistics read from each of a board's rows (stats.table.ts). */
export const STATS_READ_COLUMNS = [
  'raised_month',
  'category',
  'raising_kind',
  'responding_kind',
  'theme_mask',
  'highest_stage',
  'panel',
  'outcome_working_days',
  'stages_completed',
  'stages_within',
];

/**
 * Two things for reading a board's statistics fast:
 * - A version per board of the read model, which the projection moves in the same transaction
 *   as each change to the board's rows: the learning service keeps each board's rows in memory
 *   and reloads them only when the version has moved (stats.cache.ts). A board without a row is
 *   at version 0.
 * - An index on the board that holds every column the statistics read, so reading a board is
 *   an index-only scan of that board's entries. Without it, PostgreSQL read nearly every page
 *   of the table for each large board (a board's rows are spread through it in the order
 *   events came), about 23,000 pages for one board of a million-escalation hub.
 */
export class StatsBoardVersionMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.createTable('stats_board_version', (t) => {
        t.uuid('board_id').primary();
        t.bigInteger('version').notNullable();
      }),
    );
    const name = 'stats_escalation_board_statistics_index';
    if (this.isPostgres) {
      // Only the board is searched on; the rest rides in the leaf pages (INCLUDE).
      const table = this.schemaName ? `"${this.schemaName}".stats_escalation` : 'stats_escalation';
      this.addSql(
        `create index ${name} on ${table} (board_id) include (${STATS_READ_COLUMNS.join(', ')})`,
      );
    } else {
      this.addSchema(
        this.schemaBuilder.alterTable('stats_escalation', (t) => {
          t.index(['board_id', ...STATS_READ_COLUMNS], name);
        }),
      );
    }
  }
}
