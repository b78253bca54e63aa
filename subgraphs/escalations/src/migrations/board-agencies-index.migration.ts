import { HubMigration } from '@hub/kit';

/**
 * A practitioner's escalation list counts the board's escalations their agency raised or
 * answered (and those of panels they sit on): `totalCount` over some 10,000 rows for a large
 * agency at M. Through the board's index every one of them was read from the table (about 14 ms
 * of SQLite); with the agencies and the id beside the board in one index, the count reads the
 * index alone (about 1 ms). The page itself is read in date order by the (board, raised at, id)
 * index and stops at the page's end.
 */
export class EscalationBoardAgenciesIndexMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.alterTable('escalation', (t) => {
        t.index(
          ['board_id', 'raising_agency_id', 'responding_agency_id', 'id'],
          'escalation_board_agencies_index',
        );
      }),
    );
  }
}
