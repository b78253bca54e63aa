import { HubMigration } from '@hub/kit';

/** Who sits on a resolution panel about each case (a replica from PanelConvened). */
export class CasePanelSeatMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.createTable('panel_seat', (t) => {
        t.uuid('panel_id').notNullable();
        t.uuid('practitioner_id').notNullable();
        t.uuid('case_id').notNullable();
        t.primary(['panel_id', 'practitioner_id']);
        t.index(['case_id']);
      }),
    );
  }
}
