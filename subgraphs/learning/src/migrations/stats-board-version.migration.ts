import { HubMigration } from '@hub/kit';

/**
 * A version per board of the statistics read model, which the projection moves in the same
 * transaction as each change to the board's rows: the learning service keeps each board's
 * grouped rows in memory and reloads them only when the version has moved (stats.cache.ts).
 * A board without a row is at version 0.
 */
export class StatsBoardVersionMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.createTable('stats_board_version', (t) => {
        t.uuid('board_id').primary();
        t.bigInteger('version').notNullable();
      }),
    );
  }
}
