import { HubMigration } from '@hub/kit';

/**
 * The possible-match check before a new child is recorded looks for the board's children with
 * the same date of birth or none: without this index it read every child of the board, so
 * recording a child (through the API or ingest) grew slower with the board's size.
 */
export class ChildDateOfBirthIndexMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.alterTable('child_subject', (t) => {
        t.index(['board_id', 'date_of_birth']);
      }),
    );
  }
}
