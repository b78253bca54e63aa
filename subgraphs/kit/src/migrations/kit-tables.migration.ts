import { HubMigration } from '../db.js';

/**
 * The tables every subgraph has: the outbox, processed-event markers, the audit log and the
 * counters behind human references.
 */
export class KitTablesMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder
        .createTable('outbox_event', (t) => {
          t.increments('seq').primary();
          t.uuid('id').notNullable().unique();
          t.string('type', 100).notNullable();
          t.string('aggregate_id', 100).notNullable();
          t.json('payload').notNullable();
          t.datetime('occurred_at', { useTz: true }).notNullable();
          t.datetime('published_at', { useTz: true }).nullable();
          t.integer('attempts').notNullable().defaultTo(0);
          t.index(['published_at', 'seq'], 'outbox_event_pending_idx');
        })
        .createTable('processed_event', (t) => {
          t.string('consumer', 100).notNullable();
          t.uuid('event_id').notNullable();
          t.datetime('processed_at', { useTz: true }).notNullable();
          t.primary(['consumer', 'event_id']);
        })
        .createTable('audit_entry', (t) => {
          t.increments('seq').primary();
          t.datetime('at', { useTz: true }).notNullable();
          t.string('actor_kind', 20).notNullable();
          t.string('actor_id', 100).notNullable();
          t.string('agency_id', 100).nullable();
          t.string('ip', 100).nullable();
          t.string('correlation_id', 100).notNullable();
          t.string('action', 100).notNullable();
          t.string('entity_type', 100).notNullable();
          t.json('entity_ids').notNullable();
          t.string('prev_hash', 64).notNullable();
          t.string('hash', 64).notNullable();
        })
        .createTable('reference_counter', (t) => {
          t.string('board_id', 100).notNullable();
          t.string('prefix', 20).notNullable();
          t.integer('year').notNullable();
          t.integer('last').notNullable();
          t.primary(['board_id', 'prefix', 'year']);
        }),
    );
  }
}

export const kitMigration = { name: 'Migration20261123000000_kit', class: KitTablesMigration };
