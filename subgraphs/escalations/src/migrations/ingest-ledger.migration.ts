import { HubMigration } from '@hub/kit';

/**
 * The ingest ledger: which source record (per agency, plugin and kind) became which escalation
 * or escalation record, at which source version, so that applying a record again changes nothing.
 * Agencies live in the cases subgraph, so `agency_id` references nothing here.
 */
export class EscalationsIngestLedgerMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.createTable('ingest_ledger', (t) => {
        t.uuid('id').primary();
        t.uuid('agency_id').notNullable();
        t.string('plugin', 100).notNullable();
        t.string('kind', 40).notNullable();
        t.string('source_id', 200).notNullable();
        t.string('source_version', 200).notNullable();
        t.uuid('entity_id').notNullable();
        t.datetime('first_applied_at', { useTz: true }).notNullable();
        t.datetime('last_applied_at', { useTz: true }).notNullable();
        t.unique(['agency_id', 'plugin', 'kind', 'source_id']);
      }),
    );
  }
}
