import { keyedLoader, type InternalClient, type RequestMeta } from '@hub/kit';
import type { AgencyKind, Role } from '@hub/schema';

export interface BoardFact {
  id: string;
  region: string;
}
export interface AgencyFact {
  id: string;
  boardId: string;
  kind: AgencyKind;
}
export interface PractitionerFact {
  id: string;
  /** As the directory has it, for the written record (e.g. who was consulted). */
  name: string;
  agencyId: string;
  boardId: string;
  roles: Role[];
  lineManagerId: string | null;
  active: boolean;
}
export interface CaseFact {
  id: string;
  boardId: string;
  agencyIds: string[];
}

type FactKind = 'boards' | 'agencies' | 'practitioners' | 'cases';

/**
 * Facts the escalation rules need from the cases subgraph (ARCHITECTURE: "a signed internal
 * query to the owner, batched and briefly cached"). Each kind is a DataLoader over
 * `POST /internal/facts`, created per request: lookups in one tick share one call, and the
 * answers are cached for the request only, so a rule never acts on a stale replica.
 */
export function createFactLoaders(client: InternalClient, meta: RequestMeta) {
  const loader = <T extends { id: string }>(kind: FactKind) =>
    keyedLoader<string, T>(
      async (ids) =>
        (await client.post<Record<FactKind, T[]>>('/facts', { [kind]: ids }, meta))[kind],
      (fact) => fact.id,
    );
  return {
    board: loader<BoardFact>('boards'),
    agency: loader<AgencyFact>('agencies'),
    practitioner: loader<PractitionerFact>('practitioners'),
    case: loader<CaseFact>('cases'),
  };
}

export type FactLoaders = ReturnType<typeof createFactLoaders>;

/** The raiser's line-management chain upwards (line manager, their manager, ...), stopping at a loop. */
export async function lineManagementChain(
  facts: FactLoaders,
  practitionerId: string,
): Promise<string[]> {
  const chain: string[] = [];
  let current = await facts.practitioner.load(practitionerId);
  while (current?.lineManagerId && !chain.includes(current.lineManagerId) && chain.length < 50) {
    chain.push(current.lineManagerId);
    current = await facts.practitioner.load(current.lineManagerId);
  }
  return chain;
}
