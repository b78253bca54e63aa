import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { QueryLimitError, queryLimitRules } from './query-limits.js';

const schema = buildSchema(/* GraphQL */ `
  type Node {
    value: Int
    child: Node
    children(first: Int): [Node!]!
  }
  type Query {
    node: Node
  }
`);

function errorsFor(query: string) {
  return validate(schema, parse(query), queryLimitRules({ maxDepth: 3, maxCost: 100 }));
}

describe('queryLimitRules', () => {
  it('lets an operation within both limits through', () => {
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

  it('reports an operation costlier than the limit, saying the limit', () => {
    const errors = errorsFor('{ node { children(first: 50) { value } } }');
    expect(errors).toHaveLength(1);
    expect((errors[0] as QueryLimitError).limit).toBe('cost');
    expect(errors[0]!.message).toMatch(/limit of 100/);
  });

  it('counts depth through fragments', () => {
    const errors = errorsFor(
      'query { node { ...deep } } fragment deep on Node { child { child { child { value } } } }',
    );
    expect(errors.map((error) => (error as QueryLimitError).limit)).toContain('depth');
  });
});
