import { randomUUID } from 'node:crypto';
import { ACTOR_HEADER, newInternalSecret, secretKey, signActor, type Actor } from '@hub/kit';
import { Role } from '@hub/schema';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  federation,
  startEntityFetchWorld,
  startTestSubgraph,
  type EntityFetchWorld,
  type TestSubgraph,
} from '../gateway.test-helpers.js';
import { batchingFetcher, isQuery } from './batching-fetcher.js';
import { subgraphAgent, subgraphFetcher } from './subgraph-fetcher.js';

const actorKey = secretKey(newInternalSecret());
const actor = (id: string): Actor => ({
  kind: 'practitioner',
  id,
  roles: [Role.PRACTITIONER],
  agencyId: null,
  agencyKind: null,
  boardId: null,
});
const signed = (id: string) =>
  signActor(actorKey, actor(id), { correlationId: randomUUID(), ip: null });

const echoTypeDefs = federation(`
  type Query { echo(text: String!): String! }
  type Mutation { shout(text: String!): String! }
`);

describe('isQuery', () => {
  const body = (query: string, variables?: object) => JSON.stringify({ query, variables });

  it('tells a query from the first characters Apollo Gateway sends', () => {
    expect(isQuery(body('query Page__cases__1($id: ID!) { case(id: $id) { id } }'))).toBe(true);
    expect(isQuery(body('{ me { id } }'))).toBe(true);
    expect(isQuery(body('  query{ me { id } }'))).toBe(true);
    expect(isQuery(body('\n\tquery Q { me { id } }'))).toBe(true);
    expect(isQuery(JSON.stringify({ variables: { a: 1 }, query: 'query Q { me { id } }' }))).toBe(
      true,
    );
  });

  it('never takes a mutation, or anything else, for a query', () => {
    expect(isQuery(body('mutation Shout($text: String!) { shout(text: $text) }'))).toBe(false);
    expect(isQuery(body('  mutation { shout(text: "query") }'))).toBe(false);
    expect(isQuery(body('queryX { me }'))).toBe(false);
    expect(isQuery(body('subscription { changed }'))).toBe(false);
    expect(isQuery(JSON.stringify({ query: 1 }))).toBe(false);
    expect(isQuery('{"query":"query Q {')).toBe(true);
    expect(isQuery('{"query":"mutation M {')).toBe(false);
    expect(isQuery('not json')).toBe(false);
  });
});

describe('batchingFetcher', () => {
  const subgraphs: TestSubgraph[] = [];
  const start = async (batching = true) => {
    const subgraph = await startTestSubgraph({
      name: 'echo',
      actorKey,
      batching,
      typeDefs: echoTypeDefs,
      resolvers: {
        Query: { echo: (_: unknown, { text }: { text: string }) => text },
        Mutation: { shout: (_: unknown, { text }: { text: string }) => text.toUpperCase() },
      },
    });
    subgraphs.push(subgraph);
    return subgraph;
  };
  afterEach(async () => {
    for (const subgraph of subgraphs.splice(0)) await subgraph.close();
  });
  const agent = subgraphAgent();
  afterAll(() => agent.close());

  const fetcher = batchingFetcher(subgraphFetcher(agent));
  const call = async (url: string, header: string, query: string, text: string) => {
    const response = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [ACTOR_HEADER]: header },
      body: JSON.stringify({ query, variables: { text } }),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown } };
  };
  const ECHO = 'query Echo($text: String!) { echo(text: $text) }';
  const SHOUT = 'mutation Shout($text: String!) { shout(text: $text) }';

  it("sends one request's queries made together as one batch, each answered its own", async () => {
    const subgraph = await start();
    const header = await signed('p1');
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((text) => call(subgraph.url, header, ECHO, text)),
    );
    expect(answers).toEqual(
      ['a', 'b', 'c'].map((text) => ({ status: 200, body: { data: { echo: text } } })),
    );
    expect(subgraph.bodies).toHaveLength(1);
    expect(subgraph.bodies[0]).toHaveLength(3);
  });

  it("never puts two actors' queries in one batch", async () => {
    const subgraph = await start();
    const [one, two] = await Promise.all([signed('p1'), signed('p2')]);
    await Promise.all([call(subgraph.url, one, ECHO, 'a'), call(subgraph.url, two, ECHO, 'b')]);
    expect(subgraph.bodies).toHaveLength(2);
    expect(subgraph.bodies.every((body) => !Array.isArray(body))).toBe(true);
    expect(subgraph.operations.map((o) => o.actor.id).sort()).toEqual(['p1', 'p2']);
  });

  it('sends a mutation on its own', async () => {
    const subgraph = await start();
    const header = await signed('p1');
    const answers = await Promise.all([
      call(subgraph.url, header, SHOUT, 'a'),
      call(subgraph.url, header, SHOUT, 'b'),
    ]);
    expect(answers.map((a) => a.body)).toEqual([
      { data: { shout: 'A' } },
      { data: { shout: 'B' } },
    ]);
    expect(subgraph.bodies).toHaveLength(2);
    expect(subgraph.bodies.every((body) => !Array.isArray(body))).toBe(true);
  });

  it('sends each query again on its own to a subgraph that refuses batches', async () => {
    const subgraph = await start(false);
    const header = await signed('p1');
    const answers = await Promise.all(
      ['a', 'b'].map((text) => call(subgraph.url, header, ECHO, text)),
    );
    expect(answers.map((a) => a.body)).toEqual([{ data: { echo: 'a' } }, { data: { echo: 'b' } }]);
    // The refused batch (Apollo Server answers 400 without running it), then one each.
    expect(subgraph.bodies).toHaveLength(3);
  });

  it('fails every query of a batch when the subgraph cannot be reached', async () => {
    const subgraph = await start();
    const { url } = subgraph;
    await subgraph.close();
    subgraphs.length = 0;
    const header = await signed('p1');
    const results = await Promise.allSettled(
      ['a', 'b'].map((text) => call(url, header, ECHO, text)),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe("the gateway's entity fetches to one subgraph", () => {
  const agencies = federation(`
    type Agency @key(fields: "id") { id: ID! name: String! }
  `);
  const escalationsTypeDefs = federation(`
    type Query { escalations: [Escalation!]! }
    type Escalation { id: ID! raisingAgency: Agency! respondingAgency: Agency! }
    type Agency @key(fields: "id", resolvable: false) { id: ID! }
  `);
  let world: EntityFetchWorld;

  beforeAll(async () => {
    world = await startEntityFetchWorld({
      cases: {
        typeDefs: agencies,
        resolvers: {
          Agency: {
            __resolveReference: ({ id }: { id: string }) => ({ id, name: `Agency ${id}` }),
          },
        },
      },
      escalations: {
        typeDefs: escalationsTypeDefs,
        resolvers: {
          Query: {
            escalations: () => [
              { id: 'e1', raisingAgency: { id: 'a1' }, respondingAgency: { id: 'a2' } },
              { id: 'e2', raisingAgency: { id: 'a3' }, respondingAgency: { id: 'a1' } },
            ],
          },
        },
      },
    });
  });
  afterAll(() => world?.close());

  it('go as one request when the query plan makes them in parallel', async () => {
    const before = world.cases.bodies.length;
    const response = await fetch(world.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${world.token}` },
      body: JSON.stringify({
        query: '{ escalations { id raisingAgency { name } respondingAgency { name } } }',
      }),
    });
    expect(await response.json()).toEqual({
      data: {
        escalations: [
          {
            id: 'e1',
            raisingAgency: { name: 'Agency a1' },
            respondingAgency: { name: 'Agency a2' },
          },
          {
            id: 'e2',
            raisingAgency: { name: 'Agency a3' },
            respondingAgency: { name: 'Agency a1' },
          },
        ],
      },
    });
    // The plan fetches raisingAgency and respondingAgency from cases in parallel: one batch.
    const sent = world.cases.bodies.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(2);
  });
});
