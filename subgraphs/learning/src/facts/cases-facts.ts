import { FACT_LOADER_OPTIONS, keyedLoader, type InternalClient, type RequestMeta } from '@hub/kit';

export interface BoardFact {
  id: string;
  region: string;
  disclosureThreshold: number;
}
export interface PractitionerFact {
  id: string;
  agencyId: string;
  boardId: string;
  active: boolean;
}

type FactKind = 'boards' | 'practitioners';

/**
 * Directory facts from the cases subgraph (`POST /internal/facts`), per request: a board's
 * disclosure threshold decides suppression now, never a replica that may lag.
 */
export function createCaseFactLoaders(client: InternalClient, meta: RequestMeta) {
  const loader = <T extends { id: string }>(kind: FactKind) =>
    keyedLoader<string, T>(
      async (ids) =>
        (await client.post<Record<FactKind, T[]>>('/facts', { [kind]: ids }, meta))[kind],
      (fact) => fact.id,
      FACT_LOADER_OPTIONS,
    );
  return {
    board: loader<BoardFact>('boards'),
    practitioner: loader<PractitionerFact>('practitioners'),
  };
}

export type CaseFactLoaders = ReturnType<typeof createCaseFactLoaders>;
