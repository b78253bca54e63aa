import {
  FACT_LOADER_OPTIONS,
  keyedLoader,
  MAX_FACT_IDS,
  type InternalClient,
  type RequestMeta,
} from '@hub/kit';
import type { AgencyKind, Role } from '@hub/schema';
import type DataLoader from 'dataloader';

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

/** Most line managers above a practitioner that {@link lineManagementChain} walks. */
const MAX_CHAIN = 50;

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
      FACT_LOADER_OPTIONS,
    );
  return {
    board: loader<BoardFact>('boards'),
    agency: loader<AgencyFact>('agencies'),
    practitioner: loader<PractitionerFact>('practitioners'),
    case: loader<CaseFact>('cases'),
  };
}

export type FactLoaders = ReturnType<typeof createFactLoaders>;

/** Primes `loader` with the facts answered for `ids`, and `null` for each id not answered. */
function prime<T extends { id: string }>(
  loader: DataLoader<string, T | null>,
  ids: readonly string[],
  answered: readonly T[],
): void {
  const found = new Map(answered.map((fact) => [fact.id, fact]));
  for (const id of ids) loader.prime(id, found.get(id) ?? null);
}

/** Ids of each kind of fact, to load at once. */
export type FactIds = Partial<Record<FactKind, readonly string[]>>;

type FactAnswer = {
  boards: BoardFact[];
  agencies: AgencyFact[];
  practitioners: PractitionerFact[];
  cases: CaseFact[];
};

/**
 * Loads the facts a batch will ask for before it asks, and primes the request's loaders with
 * them: ingest knows up front the cases, people and agencies a batch of disagreements names. One
 * `/facts` call answers every kind (500 ids of each a call), then one call a level answers the
 * named practitioners' line managers, as {@link lineManagementChain} walks them. An id the cases
 * subgraph does not know is primed as `null`, which is what loading it would answer. The rules
 * still ask the loaders as they always do and find the answers there. The benchmark's 2,000
 * FHIR records (300 for this subgraph, in four batches) made 251 calls one after another, and
 * now make 19.
 */
export async function primeFacts(
  client: InternalClient,
  meta: RequestMeta,
  facts: FactLoaders,
  ids: FactIds,
): Promise<void> {
  const kinds: FactKind[] = ['boards', 'agencies', 'practitioners', 'cases'];
  const asked = new Set<string>();
  const ask = async (wanted: FactIds): Promise<PractitionerFact[]> => {
    const pending = kinds.map((kind) => [kind, [...new Set(wanted[kind] ?? [])]] as const);
    const practitioners: PractitionerFact[] = [];
    for (let at = 0; pending.some(([, list]) => list.length > at); at += MAX_FACT_IDS) {
      const call = Object.fromEntries(
        pending.map(([kind, list]) => [kind, list.slice(at, at + MAX_FACT_IDS)]),
      ) as Record<FactKind, string[]>;
      const answer = await client.post<FactAnswer>('/facts', call, meta);
      prime(facts.board, call.boards, answer.boards);
      prime(facts.agency, call.agencies, answer.agencies);
      prime(facts.practitioner, call.practitioners, answer.practitioners);
      prime(facts.case, call.cases, answer.cases);
      practitioners.push(...answer.practitioners);
      for (const id of call.practitioners) asked.add(id);
    }
    return practitioners;
  };
  let named = await ask(ids);
  for (let level = 0; level < MAX_CHAIN; level += 1) {
    const managers = named.flatMap((p) =>
      p.lineManagerId && !asked.has(p.lineManagerId) ? [p.lineManagerId] : [],
    );
    if (managers.length === 0) break;
    named = await ask({ practitioners: managers });
  }
}

/** The raiser's line-management chain upwards (line manager, their manager, ...), stopping at a loop. */
export async function lineManagementChain(
  facts: FactLoaders,
  practitionerId: string,
): Promise<string[]> {
  const chain: string[] = [];
  let current = await facts.practitioner.load(practitionerId);
  while (
    current?.lineManagerId &&
    !chain.includes(current.lineManagerId) &&
    chain.length < MAX_CHAIN
  ) {
    chain.push(current.lineManagerId);
    current = await facts.practitioner.load(current.lineManagerId);
  }
  return chain;
}
