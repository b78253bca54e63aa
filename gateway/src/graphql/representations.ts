import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Response = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
type FormattedError = NonNullable<Response['errors']>[number];

/** A fetch's representations with the repeats taken out. */
export interface DistinctRepresentations {
  /** Each distinct representation once, in the order it first appears. */
  distinct: unknown[];
  /** For each representation the gateway made, the index of its copy in `distinct`. */
  positions: number[];
}

/**
 * The distinct representations among those of one entity fetch, or null when none repeats.
 *
 * Apollo Gateway sends one representation per entity met at the fetch's paths, repeats and all:
 * on a case page, the author of each of 60 records and the raiser of each escalation are 60-odd
 * `Practitioner` representations for a couple of dozen people. The subgraph would resolve and
 * serialise each repeat, and the gateway parse it again (docs/decisions.md, "Performance").
 * Two representations are the same when their JSON is: the gateway builds every representation
 * of a fetch from the same `requires` selection, so equal ones serialise alike.
 */
export function distinctRepresentations(
  representations: readonly unknown[],
): DistinctRepresentations | null {
  const seen = new Map<string, number>();
  const distinct: unknown[] = [];
  const positions: number[] = [];
  for (const representation of representations) {
    const key = JSON.stringify(representation);
    let position = seen.get(key);
    if (position === undefined) {
      position = distinct.length;
      seen.set(key, position);
      distinct.push(representation);
    }
    positions.push(position);
  }
  return distinct.length === representations.length ? null : { distinct, positions };
}

/** A deep copy of parsed JSON: each entity in the answer is merged into the result on its own. */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) copy[key] = copyJson(field);
    return copy;
  }
  return value;
}

/**
 * The subgraph's answer to the distinct representations, as it would have answered them all:
 * `_entities` in the gateway's order, a repeat's entity a copy of the first (the gateway merges
 * each entity into the result in place, so none may be shared), and an error at
 * `_entities.N` once for every representation that was N's repeat, at its own index. An answer
 * without the expected `_entities` is passed on as it came, for the gateway to refuse as it
 * refuses any such answer.
 */
export function answerEveryRepresentation(
  response: Response,
  { distinct, positions }: DistinctRepresentations,
): Response {
  const entities: unknown = response.data?._entities;
  if (!Array.isArray(entities) || entities.length !== distinct.length) return response;
  const first = new Set<number>();
  const expanded = positions.map((position) => {
    if (first.has(position)) return copyJson(entities[position]);
    first.add(position);
    return entities[position];
  });
  return {
    ...response,
    data: { ...response.data, _entities: expanded },
    errors: response.errors && expandErrors(response.errors, positions),
  };
}

function expandErrors(
  errors: readonly FormattedError[],
  positions: readonly number[],
): FormattedError[] {
  return errors.flatMap((error) => {
    const [head, index, ...rest] = error.path ?? [];
    if (head !== '_entities' || typeof index !== 'number') return [error];
    const repeats: FormattedError[] = [];
    positions.forEach((position, original) => {
      if (position === index) repeats.push({ ...error, path: ['_entities', original, ...rest] });
    });
    // An index the subgraph should not have named is passed on as it came, never dropped.
    return repeats.length > 0 ? repeats : [error];
  });
}
