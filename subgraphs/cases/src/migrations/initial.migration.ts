import { HubMigration } from '@hub/kit';

/** The directory (boards, agencies, practitioners) and cases with their children. */
export class CasesInitialMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder
        .createTable('board', (t) => {
          t.uuid('id').primary();
          t.string('name', 200).notNullable();
          t.string('region', 10).notNullable();
          t.integer('disclosure_threshold').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
        })
        .createTable('agency', (t) => {
          t.uuid('id').primary();
          t.uuid('board_id').notNullable().references('id').inTable('board');
          t.string('name', 200).notNullable();
          t.string('kind', 40).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['board_id']);
        })
        .createTable('practitioner', (t) => {
          t.uuid('id').primary();
          t.uuid('agency_id').notNullable().references('id').inTable('agency');
          t.uuid('board_id').notNullable().references('id').inTable('board');
          t.string('name', 200).notNullable();
          t.string('email', 320).notNullable().unique();
          t.json('roles').notNullable();
          t.uuid('line_manager_id').nullable().references('id').inTable('practitioner');
          t.boolean('active').notNullable();
          t.integer('version').notNullable().defaultTo(1);
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['agency_id']);
        })
        .createTable('child_subject', (t) => {
          t.uuid('id').primary();
          t.uuid('board_id').notNullable().references('id').inTable('board');
          t.string('name', 200).notNullable();
          t.string('date_of_birth', 10).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['board_id']);
        })
        .createTable('child_identifier', (t) => {
          t.uuid('id').primary();
          t.uuid('child_id').notNullable().references('id').inTable('child_subject');
          t.uuid('board_id').notNullable().references('id').inTable('board');
          t.string('system', 100).notNullable();
          t.string('value', 200).notNullable();
          t.unique(['board_id', 'system', 'value']);
          t.index(['child_id']);
        })
        .createTable('case_file', (t) => {
          t.uuid('id').primary();
          t.string('reference', 40).notNullable().unique();
          t.uuid('board_id').notNullable().references('id').inTable('board');
          t.uuid('child_id').notNullable().references('id').inTable('child_subject');
          t.string('plan_type', 40).notNullable();
          t.uuid('lead_agency_id').nullable().references('id').inTable('agency');
          t.string('created_by', 100).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['board_id', 'created_at', 'id']);
          t.index(['child_id']);
        })
        .createTable('case_agency', (t) => {
          t.uuid('case_id').notNullable().references('id').inTable('case_file');
          t.uuid('agency_id').notNullable().references('id').inTable('agency');
          t.string('added_by', 100).notNullable();
          t.datetime('added_at', { useTz: true }).notNullable();
          t.primary(['case_id', 'agency_id']);
          t.index(['agency_id']);
        })
        .createTable('source_record', (t) => {
          t.uuid('id').primary();
          t.uuid('case_id').notNullable().references('id').inTable('case_file');
          t.string('plugin', 100).notNullable();
          t.string('source_id', 200).notNullable();
          t.uuid('agency_id').notNullable().references('id').inTable('agency');
          t.datetime('imported_at', { useTz: true }).notNullable();
          t.index(['case_id']);
        }),
    );
  }
}
