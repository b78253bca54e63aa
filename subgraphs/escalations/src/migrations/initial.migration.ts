import { HubMigration } from '@hub/kit';

/** Policies (every version), escalations, their stages, the written record and outcomes. */
export class EscalationsInitialMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder
        .createTable('escalation_policy', (t) => {
          t.uuid('id').primary();
          t.uuid('board_id').notNullable();
          t.integer('version').notNullable().defaultTo(1);
          t.json('stages').notNullable();
          t.integer('panel_agency_count').notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.string('updated_by', 100).notNullable();
          t.unique(['board_id', 'version']);
        })
        .createTable('escalation', (t) => {
          t.uuid('id').primary();
          t.string('reference', 40).notNullable().unique();
          t.uuid('board_id').notNullable();
          t.string('region', 10).notNullable();
          t.uuid('case_id').notNullable();
          t.uuid('raised_by_id').notNullable();
          t.uuid('raising_agency_id').notNullable();
          t.string('raising_agency_kind', 40).notNullable();
          t.uuid('responding_agency_id').notNullable();
          t.string('responding_agency_kind', 40).notNullable();
          t.uuid('respondent_id').nullable();
          t.string('category', 40).notNullable();
          t.string('ground', 40).notNullable();
          t.text('summary').notNullable();
          t.text('desired_outcome').notNullable();
          t.boolean('immediate_risk').notNullable();
          t.string('status', 20).notNullable();
          t.integer('policy_version').notNullable();
          t.integer('current_stage_number').nullable();
          t.datetime('current_stage_due_at', { useTz: true }).nullable();
          t.text('risk_justification').nullable();
          t.uuid('consulted_id').nullable();
          t.datetime('raised_at', { useTz: true }).notNullable();
          t.datetime('closed_at', { useTz: true }).nullable();
          t.integer('version').notNullable().defaultTo(1);
          t.index(['board_id', 'raised_at', 'id']);
          t.index(['case_id']);
          t.index(['status', 'current_stage_due_at']);
          t.index(['raising_agency_id']);
          t.index(['responding_agency_id']);
        })
        .createTable('escalation_stage', (t) => {
          t.uuid('id').primary();
          t.uuid('escalation_id').notNullable().references('id').inTable('escalation');
          t.integer('number').notNullable();
          t.string('name', 100).notNullable();
          t.datetime('entered_at', { useTz: true }).notNullable();
          t.datetime('due_at', { useTz: true }).notNullable();
          t.datetime('completed_at', { useTz: true }).nullable();
          t.string('result', 20).nullable();
          t.text('entry_reason').nullable();
          t.datetime('overdue_emitted_at', { useTz: true }).nullable();
          t.unique(['escalation_id', 'number']);
          t.index(['overdue_emitted_at', 'due_at']);
        })
        .createTable('escalation_record', (t) => {
          t.uuid('id').primary();
          t.uuid('escalation_id').notNullable().references('id').inTable('escalation');
          t.integer('stage_number').notNullable();
          t.string('kind', 30).notNullable();
          t.uuid('author_id').notNullable();
          t.text('text').notNullable();
          t.datetime('occurred_at', { useTz: true }).notNullable();
          t.datetime('recorded_at', { useTz: true }).notNullable();
          t.json('shared_with_ids').notNullable();
          t.index(['escalation_id', 'recorded_at']);
        })
        .createTable('agreed_outcome', (t) => {
          t.uuid('escalation_id').primary().references('id').inTable('escalation');
          t.text('summary').notNullable();
          t.datetime('agreed_at', { useTz: true }).notNullable();
          t.integer('agreed_at_stage').notNullable();
          t.uuid('agreed_by_id').notNullable();
        })
        .createTable('outstanding_issue', (t) => {
          t.uuid('id').primary();
          t.uuid('escalation_id').notNullable().references('id').inTable('escalation');
          t.text('description').notNullable();
          t.uuid('owner_agency_id').notNullable();
          t.string('due_date', 10).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['escalation_id']);
        })
        .createTable('outstanding_issue_completion', (t) => {
          t.uuid('issue_id').primary().references('id').inTable('outstanding_issue');
          t.uuid('escalation_id').notNullable().references('id').inTable('escalation');
          t.uuid('completed_by_id').notNullable();
          t.datetime('completed_at', { useTz: true }).notNullable();
        })
        .createTable('outcome_confirmation', (t) => {
          t.uuid('escalation_id').notNullable().references('id').inTable('escalation');
          t.uuid('agency_id').notNullable();
          t.uuid('practitioner_id').notNullable();
          t.datetime('confirmed_at', { useTz: true }).notNullable();
          t.primary(['escalation_id', 'agency_id']);
        }),
    );
  }
}
