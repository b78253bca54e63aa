import { HubMigration } from '@hub/kit';

/**
 * Escalation references are numbered per board (ESC-2027-000001 on every board), so they are
 * unique per board, not across the hub.
 */
export class EscalationReferencePerBoardMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.alterTable('escalation', (t) => {
        t.dropUnique(['reference']);
        t.unique(['board_id', 'reference']);
      }),
    );
  }
}
