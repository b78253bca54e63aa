import { HubMigration } from '@hub/kit';

/**
 * The record reads in the order things happened: by occurredAt, then recordedAt, then
 * `sequence`, the place of a record among those one change writes at one instant. Raising an
 * escalation at a later stage writes the concern and the consultation together; existing
 * consultations written with their concern come after it.
 */
export class EscalationRecordSequenceMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.alterTable('escalation_record', (t) => {
        t.integer('sequence').notNullable().defaultTo(0);
      }),
    );
    const knex = this.getKnex();
    const table = (name: string) =>
      this.schemaName ? knex.withSchema(this.schemaName).table(name) : knex.table(name);
    this.addSql(
      table('escalation_record')
        .update({ sequence: 1 })
        .where('kind', 'CONSULTATION')
        .whereExists(
          table('escalation_record as concern')
            .select(knex.raw('1'))
            .where('concern.kind', 'CONCERN_RAISED')
            .whereRaw('concern.escalation_id = escalation_record.escalation_id')
            .whereRaw('concern.recorded_at = escalation_record.recorded_at'),
        ),
    );
  }
}
