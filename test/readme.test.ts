import { readFileSync } from 'node:fs';
import { apiSchemaOf } from '@hub/cli';
import { Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * The README's tour is pasted by newcomers as it stands: every GraphQL in it (the ```graphql
 * blocks and the queries inside its curl commands) must be one operation that the API, as the
 * committed supergraph serves it, accepts.
 */
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const API = apiSchemaOf(
  readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8'),
);

function graphqlBlocks(markdown: string): { line: number; source: string }[] {
  const blocks: { line: number; source: string }[] = [];
  for (const match of markdown.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)) {
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length, source: match[1]! });
  }
  for (const match of markdown.matchAll(/-d '(\{"query":[^']*\})'/g)) {
    const body = JSON.parse(match[1]!) as { query: string };
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length, source: body.query });
  }
  return blocks;
}

describe('the README tour', () => {
  const blocks = graphqlBlocks(README);

  it('has GraphQL to check (the extraction finds the tour)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });

  it.each(blocks.map((block) => [block.line, block.source] as const))(
    'block at README line %i is one operation the API accepts',
    (_line, source) => {
      const document = parse(source);
      const operations = document.definitions.filter(
        (definition) => definition.kind === Kind.OPERATION_DEFINITION,
      );
      expect(operations).toHaveLength(1);
      expect(validate(API, document).map((error) => error.message)).toEqual([]);
    },
  );
});
