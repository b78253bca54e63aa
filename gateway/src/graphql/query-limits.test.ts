import { ApolloServer } from '@apollo/server';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryLimitError, queryCostPlugin, queryLimitRules } from './query-limits.js';

const typeDefs = /* GraphQL */ `
  type Node {
    value: Int
    child: Node
    children(first: Int): [Node!]!
  }
  type Query {
    node: Node
  }
`;
const schema = buildSchema(typeDefs);

function errorsFor(query: string) {
  return validate(schema, parse(query), queryLimitRules({ maxDepth: 3 }));
}

describe('queryLimitRules', () => {
  it('lets an operation within the depth limit through', () => {
    expect(errorsFor('{ node { child { value } } }')).toEqual([]);
  });

  it('reports an operation deeper than the limit, saying the limit', () => {
    const errors = errorsFor('{ node { child { child { child { value } } } } }');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QueryLimitError);
    expect((errors[0] as QueryLimitError).limit).toBe('depth');
    expect(errors[0]!.message).toMatch(/depth limit of 3/);
    expect(errors[0]!.message).not.toMatch(/Syntax Error/);
  });

  it('counts depth through fragments', () => {
    const errors = errorsFor(
      'query { node { ...deep } } fragment deep on Node { child { child { child { value } } } }',
    );
    expect(errors.map((error) => (error as QueryLimitError).limit)).toContain('depth');
  });
});

describe('queryCostPlugin', () => {
  let resolved = 0;
  const server = new ApolloServer({
    typeDefs,
    resolvers: {
      Query: {
        node: () => {
          resolved += 1;
          return {};
        },
      },
      Node: {
        children: (_: unknown, { first }: { first?: number }) =>
          Array.from({ length: first ?? 1 }, () => ({ value: 1 })),
      },
    },
    plugins: [queryCostPlugin({ maxCost: 100 })],
  });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  const PAGE = 'query ($n: Int) { node { children(first: $n) { value } } }';

  it('lets an operation within the limit run, its page size taken from variables', async () => {
    const response = await server.executeOperation({ query: PAGE, variables: { n: 99 } });
    expect(response.body.kind === 'single' && response.body.singleResult.errors).toBeUndefined();
  });

  it('refuses a costlier one before anything runs, with its cost as an integer', async () => {
    resolved = 0;
    const response = await server.executeOperation({ query: PAGE, variables: { n: 100 } });
    expect(response.http.status).toBe(400);
    const errors = response.body.kind === 'single' ? response.body.singleResult.errors : [];
    expect(errors?.map((error) => error.message)).toEqual([
      expect.stringMatching(/^Query cost limit of 100 exceeded, found 101:/),
    ]);
    expect(resolved).toBe(0);
  });

  it('leaves variables that do not fit to the executor', async () => {
    const response = await server.executeOperation({ query: PAGE, variables: { n: 'many' } });
    const errors = response.body.kind === 'single' ? response.body.singleResult.errors : [];
    expect(errors?.[0]?.message).toMatch(/\$n/);
  });
});
