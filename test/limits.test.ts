import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startTestHub, type TestHub } from './support/hub.js';

/** A case-list page as a front-end sends it: the page size in a variable. */
const CASE_LIST_PAGE = /* GraphQL */ `
  query CaseList($board: ID!, $first: Int, $after: String) {
    cases(boardId: $board, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
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
                agency {
                  name
                }
              }
            }
          }
        }
      }
    }
  }
`;

const ESCALATION_LIST_PAGE = /* GraphQL */ `
  query EscalationList($first: Int) {
    escalations(first: $first) {
      totalCount
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
          currentStage {
            number
            name
            dueAt
            overdue
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** Limits are the gateway's; one database is enough to show them. */
describe('request limits through the gateway', () => {
  let t: TestHub;
  beforeAll(async () => {
    // The default depth and cost limits: what a front-end meets in production.
    t = await startTestHub('sqlite', { bodyLimit: '20kb' });
  });
  afterAll(() => t?.close());

  const ME = '{ me { id } }';

  it('refuses a query 30 levels deep, saying the depth as an integer, then serves the next request', async () => {
    const deep = `{ me { ${'lineManager { '.repeat(28)}id${' }'.repeat(28)} } }`;
    const response = await t.gql(await t.tokenOf('police'), deep);
    expect(response.data ?? null).toBeNull();
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0].message).toBe('Query depth limit of 10 exceeded, found 30.');
    expect(codes(await t.gql(await t.tokenOf('police'), ME))).toEqual([]);
  });

  it('serves the case-list page a front-end sends: 20 cases with what they show', async () => {
    const response = await t.gql(await t.tokenOf('csc'), CASE_LIST_PAGE, {
      board: t.demo.boardId,
      first: 20,
    });
    expect(codes(response)).toEqual([]);
    // The demo's cases; escalations are not seeded here, and the cost is estimated before any run.
    expect(response.data?.cases.edges.length).toBeGreaterThan(0);
  });

  it('serves a page of 50 escalations', async () => {
    const response = await t.gql(await t.tokenOf('boardManager'), ESCALATION_LIST_PAGE, {
      first: 50,
    });
    expect(codes(response)).toEqual([]);
    expect(response.data?.escalations.totalCount).toEqual(expect.any(Number));
  });

  it.each([
    [
      'nested directory lists',
      /* GraphQL */ `
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
      `,
    ],
    [
      "100 cases with every record's author's board's agencies",
      /* GraphQL */ `
        query ($board: ID!) {
          cases(boardId: $board, first: 100) {
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
      `,
    ],
  ])('refuses %s by cost, saying the cost as an integer', async (_name, query) => {
    const token = await t.tokenOf('boardManager');
    const response = await t.gql(token, query, { board: t.demo.boardId });
    expect(response.status).toBe(400);
    expect(response.data ?? null).toBeNull();
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0].message).toMatch(/^Query cost limit of 5000 exceeded, found \d+:/);
    expect(codes(await t.gql(token, ME))).toEqual([]);
  });

  it('refuses an oversized body with a clear error, then serves the next request', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({
        query: `{ boards { id } }`,
        variables: { padding: 'x'.repeat(50_000) },
      }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/large|limit/i);
    expect(codes(await t.gql(t.adminToken, '{ boards { id } }'))).toEqual([]);
  });

  it('answers malformed GraphQL and unknown fields with a clear error, then serves the next request', async () => {
    const token = await t.tokenOf('police');
    const parse = await t.gql(token, '{ me { id ');
    expect(parse.errors?.[0].message).toMatch(/Syntax Error/);
    const unknown = await t.gql(token, '{ me { shoeSize } }');
    expect(unknown.errors?.[0].message).toMatch(/shoeSize/);
    const badVariable = await t.gql(token, 'query ($id: ID!) { case(id: $id) { id } }', {
      id: null,
    });
    expect(codes(badVariable)).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gql(token, ME))).toEqual([]);
  });

  it('masks unexpected errors behind a correlation id', async () => {
    // A board id that is not a UUID reaches no database (it names nothing): NOT_FOUND, not a crash.
    const response = await t.gql(t.adminToken, '{ board(id: "not-a-uuid") { id } }');
    expect(codes(response)).toEqual(['NOT_FOUND']);
  });
});
