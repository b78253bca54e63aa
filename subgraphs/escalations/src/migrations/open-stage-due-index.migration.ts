import { HubMigration } from '@hub/kit';

/**
 * The overdue scheduler's stages by an index of the open stages not yet marked overdue. The scan
 * asks each minute for the stages with `overdue_emitted_at` and `completed_at` null and `due_at`
 * past, oldest first. Its index was (`overdue_emitted_at`, `due_at`), but a stage completed on
 * time keeps `overdue_emitted_at` null for ever, so that index's range held nearly every stage
 * the hub had ever had, each read from the table only to find it completed: at M (158,339
 * stages) 40–48 ms of SQLite a minute, the embedded hub's one thread blocked for all of it, and
 * 77 ms of PostgreSQL, which scanned the table instead; both grow with the history. This index
 * holds only the open stages not yet marked (at most the 10,458 open ones at M), in the order the
 * scan reads them: 0.005 ms on SQLite and 0.19 ms on PostgreSQL at M. The old index served
 * nothing else and goes.
 */
export class EscalationOpenStageDueIndexMigration extends HubMigration {
  override async up(): Promise<void> {
    const knex = this.getKnex();
    this.addSchema(
      this.schemaBuilder.alterTable('escalation_stage', (t) => {
        t.dropIndex(['overdue_emitted_at', 'due_at']);
        t.index(['due_at', 'id'], 'escalation_stage_open_due_index', {
          predicate: knex.whereNull('completed_at').whereNull('overdue_emitted_at'),
        });
      }),
    );
  }
}
