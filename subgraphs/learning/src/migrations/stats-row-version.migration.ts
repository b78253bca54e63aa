import { HubMigration } from '@hub/kit';
import { STATS_READ_COLUMNS } from './stats-board-version.migration.js';

/**
 * What lets the learning service bring a board's kept statistics up to date by reading only the
 * rows that changed (stats.cache.ts), rather than the whole board after every event:
 * - `stats_escalation.row_version`: the board's version at the row's last change, set by the
 *   projection in the same transaction as the change; an index on (board, row_version) finds a
 *   board's rows changed since a version.
 * - `stats_board_version.rebuilt_version`: the version at which a replay last rebuilt the
 *   board's rows. A rebuild deletes rows, which no row version shows, so a process that kept
 *   the board from before it reads the board whole.
 * - The index that reads a board whole now orders its entries by key too (still index-only), so
 *   the rows come back in key order and a changed row is found by a binary search.
 */
export class StatsRowVersionMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder
        .alterTable('stats_escalation', (t) => {
          t.bigInteger('row_version').notNullable().defaultTo(0);
        })
        .alterTable('stats_board_version', (t) => {
          t.bigInteger('rebuilt_version').notNullable().defaultTo(0);
        }),
    );
    const table = this.schemaName ? `"${this.schemaName}".stats_escalation` : 'stats_escalation';
    const index = (name: string) => (this.schemaName ? `"${this.schemaName}".${name}` : name);
    this.addSql(`drop index ${index('stats_escalation_board_statistics_index')}`);
    if (this.isPostgres) {
      this.addSql(
        `create index stats_escalation_board_rows_index on ${table} (board_id, key)
         include (${STATS_READ_COLUMNS.join(', ')})`,
      );
    } else {
      this.addSql(
        `create index stats_escalation_board_rows_index on ${table}
         (board_id, key, ${STATS_READ_COLUMNS.join(', ')})`,
      );
    }
    this.addSql(
      `create index stats_escalation_board_changes_index on ${table} (board_id, row_version)`,
    );
  }
}
