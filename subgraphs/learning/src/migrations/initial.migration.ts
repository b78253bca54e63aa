import { randomBytes, randomUUID } from 'node:crypto';
import { HubMigration } from '@hub/kit';
import { SHIPPED_THEMES } from './themes.js';

/**
 * The learning subgraph's own data (themes, tags, debriefs, protocol amendments) and the
 * de-identified statistics read model built from domain events (`stats_escalation`).
 */
export class LearningInitialMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder
        .createTable('learning_theme', (t) => {
          t.uuid('id').primary();
          t.string('code', 60).notNullable().unique();
          t.string('title', 200).notNullable();
          t.text('description').notNullable();
          t.boolean('active').notNullable();
          t.integer('bit').notNullable().unique();
        })
        .createTable('escalation_theme', (t) => {
          t.uuid('escalation_id').notNullable();
          t.string('theme_code', 60).notNullable();
          t.uuid('board_id').notNullable();
          t.uuid('tagged_by_id').notNullable();
          t.datetime('tagged_at', { useTz: true }).notNullable();
          t.primary(['escalation_id', 'theme_code']);
        })
        // One row per escalation whose themes were set: the revision orders tag events.
        .createTable('escalation_tagging', (t) => {
          t.uuid('escalation_id').primary();
          t.integer('revision').notNullable();
        })
        .createTable('debrief', (t) => {
          t.uuid('id').primary();
          t.uuid('escalation_id').notNullable().unique();
          t.uuid('board_id').notNullable();
          t.datetime('held_at', { useTz: true }).notNullable();
          t.text('notes').notNullable();
          t.json('lessons').notNullable();
          t.json('attendee_ids').notNullable();
          t.uuid('recorded_by_id').notNullable();
          t.datetime('recorded_at', { useTz: true }).notNullable();
        })
        .createTable('protocol_amendment', (t) => {
          t.uuid('id').primary();
          t.uuid('board_id').notNullable();
          t.string('title', 200).notNullable();
          t.text('rationale').notNullable();
          t.json('theme_codes').notNullable();
          t.string('status', 20).notNullable();
          t.uuid('proposed_by_id').notNullable();
          t.datetime('proposed_at', { useTz: true }).notNullable();
          t.uuid('decided_by_id').nullable();
          t.datetime('decided_at', { useTz: true }).nullable();
          t.uuid('implemented_by_id').nullable();
          t.datetime('implemented_at', { useTz: true }).nullable();
          t.integer('evidence_count').notNullable();
          t.index(['board_id', 'status', 'proposed_at']);
        })
        .createTable('amendment_evidence', (t) => {
          t.uuid('amendment_id').notNullable().references('id').inTable('protocol_amendment');
          t.uuid('escalation_id').notNullable();
          t.primary(['amendment_id', 'escalation_id']);
        })
        /*
         * The statistics read model: one row per escalation, keyed by a keyed hash of its id
         * (the key is in learning_setting), holding codes, kinds, the month raised and counts
         * only: no id, reference, name, date or free text of a case, child or practitioner.
         */
        .createTable('stats_escalation', (t) => {
          t.string('key', 64).primary();
          t.uuid('board_id').notNullable();
          t.string('raised_month', 7).notNullable();
          t.string('category', 40).notNullable();
          t.string('raising_kind', 40).notNullable();
          t.string('responding_kind', 40).notNullable();
          t.integer('highest_stage').notNullable();
          t.boolean('panel').notNullable();
          t.integer('theme_mask').notNullable();
          t.integer('theme_revision').notNullable();
          t.integer('stages_completed').notNullable();
          t.integer('stages_within').notNullable();
          t.integer('outcome_working_days').nullable();
          t.index(['board_id', 'raised_month']);
        })
        .createTable('learning_setting', (t) => {
          t.string('name', 60).primary();
          t.string('value', 200).notNullable();
        }),
    );
    const knex = this.getKnex();
    const table = (name: string) =>
      this.schemaName ? knex.withSchema(this.schemaName).table(name) : knex.table(name);
    this.addSql(
      table('learning_theme').insert(
        SHIPPED_THEMES.map((theme) => ({ id: randomUUID(), ...theme, active: true })),
      ),
    );
    this.addSql(
      table('learning_setting').insert({
        name: 'stats_key',
        value: randomBytes(32).toString('hex'),
      }),
    );
  }
}
