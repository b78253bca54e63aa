import { HubMigration } from '@hub/kit';

/** Who sits on each escalation's resolution panel (a replica from PanelConvened). */
export class EscalationPanelSeatMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.createTable('panel_seat', (t) => {
        t.uuid('escalation_id').notNullable();
        t.uuid('practitioner_id').notNullable();
        t.uuid('panel_id').notNullable();
        t.primary(['escalation_id', 'practitioner_id']);
        t.index(['practitioner_id']);
      }),
    );
  }
}
