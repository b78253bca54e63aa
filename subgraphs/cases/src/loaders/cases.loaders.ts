import {
  auditReads,
  entityLoader,
  findByKeys,
  groupedLoader,
  keyedLoader,
  selectRows,
  type HubContext,
} from '@hub/kit';
import type DataLoader from 'dataloader';
import { Agency } from '../entities/agency.entity.js';
import { Board } from '../entities/board.entity.js';
import { CaseAgency } from '../entities/case-agency.entity.js';
import { Case } from '../entities/case.entity.js';
import { ChildIdentifier } from '../entities/child-identifier.entity.js';
import { ChildSubject } from '../entities/child-subject.entity.js';
import { PanelSeat } from '../entities/panel-seat.entity.js';
import { Practitioner } from '../entities/practitioner.entity.js';
import { SourceRecord } from '../entities/source-record.entity.js';

/** One set per request; every lookup by key in the cases subgraph goes through these. */
export function createCasesLoaders(ctx: HubContext) {
  const { em } = ctx;
  return {
    board: entityLoader(em, Board),
    agency: entityLoader(em, Agency),
    practitioner: entityLoader(em, Practitioner),
    case: entityLoader(em, Case),
    child: entityLoader(em, ChildSubject),
    agenciesByBoard: groupedLoader<string, Agency>(
      (boardIds) => findByKeys(em, Agency, 'boardId', boardIds, { name: 'asc' }),
      (agency) => agency.boardId,
    ),
    /** Who sits on a resolution panel about each case (a replica from PanelConvened). */
    panelSeats: groupedLoader<string, PanelSeat>(
      (caseIds) => findByKeys(em, PanelSeat, 'caseId', caseIds),
      (row) => row.caseId,
    ),
    /** Involvements of each case, in the order agencies were added. */
    involvements: groupedLoader<string, CaseAgency>(
      (caseIds) =>
        findByKeys(em, CaseAgency, 'caseId', caseIds, { addedAt: 'asc', agencyId: 'asc' }),
      (row) => row.caseId,
    ),
    identifiers: groupedLoader<string, ChildIdentifier>(
      (childIds) =>
        findByKeys(em, ChildIdentifier, 'childId', childIds, { system: 'asc', value: 'asc' }),
      (row) => row.childId,
    ),
    sourceRecords: groupedLoader<string, SourceRecord>(
      (caseIds) => findByKeys(em, SourceRecord, 'caseId', caseIds, { importedAt: 'asc' }),
      (row) => row.caseId,
    ),
    /** The agencies involved in any case of each child: who may see the child's details. */
    childAgencies: keyedLoader<string, { childId: string; agencyIds: Set<string> }>(
      async (childIds) => {
        // One join, where it was the cases then their involvements: two round trips per page.
        const rows = await selectRows<{ child_id: string; agency_id: string }>(
          em,
          'select c.child_id, ca.agency_id from case_file c join case_agency ca on ca.case_id = c.id' +
            ` where c.child_id in (${childIds.map(() => '?').join(', ')})`,
          [...childIds],
        );
        const byChild = new Map(
          childIds.map((id) => [id, { childId: id, agencyIds: new Set<string>() }]),
        );
        for (const row of rows) byChild.get(row.child_id)?.agencyIds.add(row.agency_id);
        return [...byChild.values()];
      },
      (row) => row.childId,
    ) as DataLoader<string, { childId: string; agencyIds: Set<string> } | null>,
    /** Case reads are audited once per batch. */
    auditCaseRead: auditReads(ctx, 'case.read', 'Case'),
  };
}

export type CasesLoaders = ReturnType<typeof createCasesLoaders>;
