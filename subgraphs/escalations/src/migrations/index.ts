import { EscalationBoardAgenciesIndexMigration } from './board-agencies-index.migration.js';
import { EscalationBoardOverdueIndexMigration } from './board-overdue-index.migration.js';
import { EscalationsIngestLedgerMigration } from './ingest-ledger.migration.js';
import { EscalationsInitialMigration } from './initial.migration.js';
import { EscalationOpenStageDueIndexMigration } from './open-stage-due-index.migration.js';
import { EscalationPanelSeatMigration } from './panel-seat.migration.js';
import { EscalationRecordSequenceMigration } from './record-sequence.migration.js';
import { EscalationReferencePerBoardMigration } from './reference-per-board.migration.js';

/** Every migration of the escalations subgraph, oldest first. Never edit one that has shipped: add one. */
export const escalationsMigrations = [
  { name: 'Migration20261123000200_escalations_initial', class: EscalationsInitialMigration },
  {
    name: 'Migration20261124000200_escalation_reference_per_board',
    class: EscalationReferencePerBoardMigration,
  },
  {
    name: 'Migration20261125000200_escalation_record_sequence',
    class: EscalationRecordSequenceMigration,
  },
  { name: 'Migration20261201000200_escalation_panel_seat', class: EscalationPanelSeatMigration },
  {
    name: 'Migration20261210000200_escalations_ingest_ledger',
    class: EscalationsIngestLedgerMigration,
  },
  {
    name: 'Migration20261215000200_escalation_board_overdue_index',
    class: EscalationBoardOverdueIndexMigration,
  },
  {
    name: 'Migration20261215000201_escalation_board_agencies_index',
    class: EscalationBoardAgenciesIndexMigration,
  },
  {
    name: 'Migration20261216000200_escalation_open_stage_due_index',
    class: EscalationOpenStageDueIndexMigration,
  },
];
