import { HubMigration } from '@hub/kit';

/**
 * Case references are numbered per board (CASE-2027-000001 on every board), so they are unique
 * per board, not across the hub: a second board could not open its first case.
 */
export class CaseReferencePerBoardMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.alterTable('case_file', (t) => {
        t.dropUnique(['reference']);
        t.unique(['board_id', 'reference']);
      }),
    );
  }
}
