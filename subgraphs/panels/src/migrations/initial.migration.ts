import { HubMigration } from '@hub/kit';

/** Panels, their members, representations, decisions and the issues a decision leaves open. */
export class PanelsInitialMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder
        .createTable('resolution_panel', (t) => {
          t.uuid('id').primary();
          // One panel per escalation, also when two board managers convene at once.
          t.uuid('escalation_id').notNullable().unique();
          t.uuid('board_id').notNullable();
          t.uuid('case_id').notNullable();
          t.integer('stage_number').notNullable();
          t.uuid('raising_agency_id').notNullable();
          t.string('raising_agency_kind', 40).notNullable();
          t.uuid('responding_agency_id').notNullable();
          t.string('responding_agency_kind', 40).notNullable();
          t.string('status', 20).notNullable();
          t.uuid('convened_by_id').notNullable();
          t.datetime('convened_at', { useTz: true }).notNullable();
          t.datetime('hearing_at', { useTz: true }).nullable();
          t.json('composition_notes').notNullable();
          t.index(['board_id', 'status', 'convened_at']);
        })
        .createTable('panel_member', (t) => {
          t.uuid('id').primary();
          t.uuid('panel_id').notNullable().references('id').inTable('resolution_panel');
          t.uuid('practitioner_id').notNullable();
          t.uuid('agency_id').notNullable();
          t.boolean('chair').notNullable();
          t.unique(['panel_id', 'practitioner_id']);
          t.index(['practitioner_id']);
        })
        .createTable('representation', (t) => {
          t.uuid('id').primary();
          t.uuid('panel_id').notNullable().references('id').inTable('resolution_panel');
          t.uuid('agency_id').notNullable();
          t.uuid('submitted_by_id').notNullable();
          t.text('statement').notNullable();
          t.datetime('submitted_at', { useTz: true }).notNullable();
          t.index(['panel_id', 'submitted_at']);
        })
        .createTable('panel_decision', (t) => {
          t.uuid('panel_id').primary().references('id').inTable('resolution_panel');
          t.text('summary').notNullable();
          t.text('next_course_of_action').notNullable();
          t.datetime('decided_at', { useTz: true }).notNullable();
          t.uuid('decided_by_id').notNullable();
        })
        .createTable('panel_outstanding_issue', (t) => {
          t.uuid('id').primary();
          t.uuid('panel_id').notNullable().references('id').inTable('resolution_panel');
          t.text('description').notNullable();
          t.uuid('owner_agency_id').notNullable();
          t.string('due_date', 10).nullable();
          t.integer('position').notNullable();
          t.index(['panel_id']);
        }),
    );
  }
}
