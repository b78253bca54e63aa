import { ForbiddenError } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  federation,
  startEntityFetchWorld,
  type EntityFetchWorld,
} from '../gateway.test-helpers.js';
import { answerEveryRepresentation, distinctRepresentations } from './representations.js';

const rep = (id: string) => ({ __typename: 'Practitioner', id });

describe('distinctRepresentations', () => {
  it('keeps each representation once, first come first, and where each went', () => {
    expect(distinctRepresentations([rep('a'), rep('b'), rep('a'), rep('c'), rep('b')])).toEqual({
      distinct: [rep('a'), rep('b'), rep('c')],
      positions: [0, 1, 0, 2, 1],
    });
  });

  it('is null when nothing repeats, so the fetch goes as it was', () => {
    expect(distinctRepresentations([rep('a'), rep('b')])).toBeNull();
    expect(distinctRepresentations([])).toBeNull();
  });

  it('tells apart representations of another type or with other required fields', () => {
    const agency = { __typename: 'Agency', id: 'a' };
    const withBoard = { __typename: 'Practitioner', id: 'a', boardId: 'b1' };
    expect(distinctRepresentations([rep('a'), agency, withBoard, rep('a')])?.distinct).toEqual([
      rep('a'),
      agency,
      withBoard,
    ]);
  });
});

describe('answerEveryRepresentation', () => {
  const repeats = distinctRepresentations([rep('a'), rep('b'), rep('a'), rep('a')])!;

  it('gives every representation its entity, repeats as copies', () => {
    const a = { id: 'a', name: 'Ann', agency: { id: 'x' } };
    const b = { id: 'b', name: 'Bob', agency: { id: 'y' } };
    const answer = answerEveryRepresentation({ data: { _entities: [a, b] } }, repeats);
    const entities = answer.data?._entities as unknown[];
    expect(entities).toEqual([a, b, a, a]);
    expect(entities[0]).toBe(a);
    // The gateway merges later fetches into each entity in place: no two may share an object.
    expect(entities[2]).not.toBe(a);
    expect((entities[2] as typeof a).agency).not.toBe(a.agency);
    expect((entities[3] as typeof a).agency).not.toBe((entities[2] as typeof a).agency);
  });

  it("puts an entity's error at every representation that asked for it", () => {
    const error = { message: 'no', path: ['_entities', 0, 'name'], extensions: { code: 'X' } };
    const other = { message: 'whole request' };
    const answer = answerEveryRepresentation(
      { data: { _entities: [null, { id: 'b' }] }, errors: [error, other] },
      repeats,
    );
    expect(answer.errors).toEqual([
      { ...error, path: ['_entities', 0, 'name'] },
      { ...error, path: ['_entities', 2, 'name'] },
      { ...error, path: ['_entities', 3, 'name'] },
      other,
    ]);
    expect(answer.data?._entities).toEqual([null, { id: 'b' }, null, null]);
  });

  it('passes on an answer it cannot spread, for the gateway to refuse', () => {
    const short = { data: { _entities: [{ id: 'a' }] } };
    expect(answerEveryRepresentation(short, repeats)).toBe(short);
    const none = { data: null, errors: [{ message: 'down' }] };
    expect(answerEveryRepresentation(none, repeats)).toBe(none);
  });
});

describe("the gateway's entity fetches with repeated entities", () => {
  const practitioners = federation(`
    type Practitioner @key(fields: "id") { id: ID! name: String! agency: Agency! }
    type Agency @key(fields: "id") { id: ID! name: String! }
  `);
  const recordsTypeDefs = federation(`
    type Query { records: [Record!]! }
    type Record { id: ID! author: Practitioner }
    type Practitioner @key(fields: "id", resolvable: false) { id: ID! }
  `);
  const authors = ['p1', 'p2', 'p1', 'hidden', 'p1', 'hidden', 'p2'];
  let world: EntityFetchWorld;

  beforeAll(async () => {
    world = await startEntityFetchWorld({
      cases: {
        typeDefs: practitioners,
        resolvers: {
          Practitioner: {
            // Async, as the hub's are: a refusal fails its own entity, not the whole fetch.
            __resolveReference: async ({ id }: { id: string }) => {
              if (id === 'hidden') throw new ForbiddenError('Not in your board.');
              const agency = `agency-of-${id}`;
              return {
                id,
                name: `Practitioner ${id}`,
                agency: { id: agency, name: `Agency ${agency}` },
              };
            },
          },
        },
      },
      escalations: {
        typeDefs: recordsTypeDefs,
        resolvers: {
          Query: {
            records: () =>
              authors.map((author, index) => ({ id: `r${index}`, author: { id: author } })),
          },
        },
      },
    });
  });
  afterAll(() => world?.close());

  /** The representations of every operation cases was sent since `from`. */
  function representationsSentToCases(from: number): unknown[][] {
    return world.cases.bodies
      .slice(from)
      .flatMap((body) => (Array.isArray(body) ? body : [body]))
      .map(
        (operation) =>
          (operation as { variables?: { representations?: unknown[] } }).variables
            ?.representations ?? [],
      );
  }

  it('asks the subgraph for each entity once and answers every place it appears', async () => {
    const before = world.cases.bodies.length;
    const response = await fetch(world.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${world.token}` },
      body: JSON.stringify({ query: '{ records { id author { id name agency { name } } } }' }),
    });
    const body = (await response.json()) as {
      data: { records: ({ id: string; author: unknown } | null)[] } | null;
      errors?: { message: string; path: (string | number)[]; extensions: { code: string } }[];
    };

    // Three distinct authors among seven records, in one fetch (their agencies' names with them).
    expect(representationsSentToCases(before)).toEqual([[rep('p1'), rep('p2'), rep('hidden')]]);
    const author = (id: string) => ({
      id,
      name: `Practitioner ${id}`,
      agency: { name: `Agency agency-of-${id}` },
    });
    // An author who may not be seen is null, with an error at each record of theirs.
    expect(body.data?.records).toEqual([
      { id: 'r0', author: author('p1') },
      { id: 'r1', author: author('p2') },
      { id: 'r2', author: author('p1') },
      { id: 'r3', author: null },
      { id: 'r4', author: author('p1') },
      { id: 'r5', author: null },
      { id: 'r6', author: author('p2') },
    ]);
    expect(body.errors?.map(({ path, extensions }) => ({ path, code: extensions.code }))).toEqual([
      { path: ['records', 3, 'author'], code: 'FORBIDDEN' },
      { path: ['records', 5, 'author'], code: 'FORBIDDEN' },
    ]);
  });
});
