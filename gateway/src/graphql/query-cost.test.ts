import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNullableType,
  isListType,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { LONG_LIST_SIZE, operationCost, SHORT_LIST_SIZE, SHORT_LISTS } from './query-cost.js';

// The committed supergraph: the cost model is calibrated against the API clients really use.
const schema = buildSchema(
  readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8'),
);

function costOf(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    if (definition.kind === Kind.OPERATION_DEFINITION) operation = definition;
  }
  return operationCost(schema, fragments, operation!, variables);
}

/** What a case-list page sends: 20 cases, each with its child, agencies and escalations. */
const CASE_LIST_PAGE = /* GraphQL */ `
  query CaseList($board: ID!) {
    cases(boardId: $board, first: 20) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          reference
          planType
          createdAt
          child {
            name
            dateOfBirth
          }
          leadAgency {
            id
            name
          }
          involvedAgencies {
            id
            name
            kind
          }
          escalations {
            id
            reference
            status
            category
            raisedAt
            currentStage {
              number
              name
              dueAt
              overdue
            }
            stages {
              number
              name
              enteredAt
              dueAt
              completedAt
              overdue
            }
            records {
              id
              kind
              text
              occurredAt
              author {
                id
                name
              }
            }
          }
        }
      }
    }
  }
`;

describe('operationCost', () => {
  it('counts each object once and leaf fields not at all', () => {
    expect(costOf('{ me { id name email roles } }')).toBe(1);
    expect(costOf('{ me { id agency { name board { name } } } }')).toBe(3);
    expect(costOf('{ me { __typename id } }')).toBe(1);
  });

  it('prices the case-list page a front-end sends well under the default limit', () => {
    // records 5 × (1 + author) = 10; an escalation 1 + currentStage 1 + stages 5 + records 10 = 17;
    // a case 1 + child + leadAgency + 5 agencies + 5 × 17 = 93; 20 edges × (1 + 93) + pageInfo.
    expect(costOf(CASE_LIST_PAGE)).toBe(1 + 20 * (1 + 93) + 1);
    expect(costOf(CASE_LIST_PAGE)).toBeLessThan(5000);
  });

  it('takes page sizes from variables and argument defaults', () => {
    const page = (first: string) => /* GraphQL */ `
      query ($board: ID!, $first: Int) {
        cases(boardId: $board${first}) { edges { node { id child { name } } } }
      }
    `;
    expect(costOf(page(', first: $first'), { first: 50 })).toBe(1 + 50 * 3);
    expect(costOf(page(''))).toBe(1 + 20 * 3);
    expect(costOf(page(', first: 100'))).toBe(1 + 100 * 3);
    expect(costOf(page(', first: 0'))).toBe(1);
  });

  it('prices a page of 50 escalations under the default limit', () => {
    const cost = costOf(/* GraphQL */ `
      {
        escalations(first: 50, filter: { overdue: true }) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              reference
              status
              category
              raisedAt
              case {
                id
                reference
                child {
                  name
                }
              }
              raisingAgency {
                name
              }
              respondingAgency {
                name
              }
              raisedBy {
                name
              }
              respondent {
                name
              }
              currentStage {
                number
                name
                dueAt
                overdue
              }
            }
          }
        }
      }
    `);
    expect(cost).toBe(1 + 50 * (1 + 8) + 1);
  });

  it('multiplies nested lists, so unbounded nesting costs far more than the default limit', () => {
    const directory = costOf(/* GraphQL */ `
      {
        boards {
          agencies {
            board {
              agencies {
                board {
                  agencies {
                    id
                  }
                }
              }
            }
          }
        }
      }
    `);
    const agencies = LONG_LIST_SIZE;
    const board = 1 + agencies;
    const level = LONG_LIST_SIZE * (1 + board);
    expect(directory).toBe(LONG_LIST_SIZE * (1 + LONG_LIST_SIZE * (1 + 1 + level)));
    expect(directory).toBeGreaterThan(100_000);

    const cases = costOf(/* GraphQL */ `
      {
        cases(boardId: "b", first: 100) {
          edges {
            node {
              escalations {
                records {
                  author {
                    agency {
                      board {
                        agencies {
                          id
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    `);
    const record = 1 + 1 + 1 + 1 + LONG_LIST_SIZE;
    const escalation = 1 + SHORT_LIST_SIZE * record;
    expect(cases).toBe(1 + 100 * (1 + 1 + SHORT_LIST_SIZE * escalation));
    expect(cases).toBeGreaterThan(50_000);
  });

  it('counts fragments as if written inline, and estimates fragment bombs quickly', () => {
    const inline = costOf('{ me { agency { board { agencies { id } } } } }');
    expect(
      costOf(`
        { me { ...who } }
        fragment who on Practitioner { agency { ... on Agency { board { ...agencies } } } }
        fragment agencies on Board { agencies { id } }
      `),
    ).toBe(inline);
    expect(
      costOf(`
        query ($board: ID!) { cases(boardId: $board, first: 10) { ...page } }
        fragment page on CaseConnection { edges { node { id } } }
      `),
    ).toBe(1 + 10 * 2);

    // Each fragment spreads the next twice: 2^40 spreads unless fragment costs are remembered.
    const names = Array.from({ length: 40 }, (_, index) => `f${index}`);
    const bomb = [
      '{ me { ...f0 } }',
      ...names.map((name, index) =>
        index + 1 < names.length
          ? `fragment ${name} on Practitioner { lineManager { ...f${index + 1} } a: lineManager { ...f${index + 1} } }`
          : `fragment ${name} on Practitioner { id }`,
      ),
    ].join('\n');
    const started = Date.now();
    const cost = costOf(bomb);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(Number.isSafeInteger(cost)).toBe(true);
    expect(cost).toBeGreaterThan(5000);
  });

  it('leaves introspection free: the gateway answers it itself', () => {
    expect(costOf('{ __schema { types { name fields { name type { name } } } } }')).toBe(0);
    expect(costOf('{ __type(name: "Case") { fields { name } } }')).toBe(0);
  });

  it('names only list fields of the schema as short lists', () => {
    for (const coordinate of SHORT_LISTS) {
      const [typeName, fieldName] = coordinate.split('.') as [string, string];
      const type = schema.getType(typeName) as { getFields?: () => Record<string, any> };
      const field = type?.getFields?.()[fieldName];
      expect(field, coordinate).toBeDefined();
      expect(isListType(getNullableType(field.type)), coordinate).toBe(true);
    }
  });
});
