import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startTestHub, type TestHub } from './support/hub.js';

/** Limits are the gateway's; one database is enough to show them. */
describe('request limits through the gateway', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite', { maxDepth: 6, bodyLimit: '20kb' });
  });
  afterAll(() => t?.close());

  const ME = '{ me { id } }';

  it('refuses a query deeper than the limit, then serves the next request', async () => {
    const deep = /* GraphQL */ `
      {
        me {
          lineManager {
            lineManager {
              lineManager {
                lineManager {
                  lineManager {
                    lineManager {
                      id
                    }
                  }
                }
              }
            }
          }
        }
      }
    `;
    const response = await t.gql(await t.tokenOf('police'), deep);
    expect(response.data ?? null).toBeNull();
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0].message).toMatch(/depth/i);
    expect(codes(await t.gql(await t.tokenOf('police'), ME))).toEqual([]);
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
