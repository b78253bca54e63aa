import { CasesInitialMigration } from './initial.migration.js';
import { CasesIngestLedgerMigration } from './ingest-ledger.migration.js';
import { ChildDateOfBirthIndexMigration } from './child-date-of-birth-index.migration.js';
import { CasePanelSeatMigration } from './panel-seat.migration.js';
import { PractitionerExternalSubjectMigration } from './practitioner-external-subject.migration.js';
import { CaseReferencePerBoardMigration } from './reference-per-board.migration.js';

/** Every migration of the cases subgraph, oldest first. Never edit one that has shipped: add one. */
export const casesMigrations = [
  { name: 'Migration20261123000100_cases_initial', class: CasesInitialMigration },
  {
    name: 'Migration20261124000100_case_reference_per_board',
    class: CaseReferencePerBoardMigration,
  },
  {
    name: 'Migration20261124000300_practitioner_external_subject',
    class: PractitionerExternalSubjectMigration,
  },
  { name: 'Migration20261201000100_case_panel_seat', class: CasePanelSeatMigration },
  { name: 'Migration20261210000100_cases_ingest_ledger', class: CasesIngestLedgerMigration },
  {
    name: 'Migration20261220000100_child_board_date_of_birth_index',
    class: ChildDateOfBirthIndexMigration,
  },
];
