import {
  FACT_LOADER_OPTIONS,
  groupedLoader,
  keyedLoader,
  type InternalClient,
  type RequestMeta,
} from '@hub/kit';
import type { AgencyKind, Role } from '@hub/schema';

export interface AgencyFact {
  id: string;
  boardId: string;
  kind: AgencyKind;
}
export interface PractitionerFact {
  id: string;
  name: string;
  agencyId: string;
  boardId: string;
  roles: Role[];
  active: boolean;
}

type FactKind = 'agencies' | 'practitioners';

/**
 * Directory facts the panel rules need from the cases subgraph, as the escalations subgraph asks
 * for them (`POST /internal/facts`): a DataLoader per kind, per request, so lookups in one tick
 * share one call and the answers are cached for the request only.
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
    agency: loader<AgencyFact>('agencies'),
    practitioner: loader<PractitionerFact>('practitioners'),
    /** Every practitioner of an agency: who of a concerned agency could sit on its panel. */
    agencyPractitioners: groupedLoader<string, PractitionerFact>(
      async (agencyIds) =>
        (
          await client.post<{ agencyPractitioners: PractitionerFact[] }>(
            '/facts',
            { agencyPractitioners: agencyIds },
            meta,
          )
        ).agencyPractitioners,
      (practitioner) => practitioner.agencyId,
      FACT_LOADER_OPTIONS,
    ),
  };
}

export type CaseFactLoaders = ReturnType<typeof createCaseFactLoaders>;
