import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@hub/gateway';
import { ACTOR_HEADER, signActor, secretKey, newInternalSecret } from '@hub/kit';
import { databaseKinds } from './support/databases.js';
import { codes, signedAsPractitioner, startTestHub, type TestHub } from './support/hub.js';

const ME = /* GraphQL */ `
  {
    me {
      id
      name
      roles
      agency {
        kind
      }
    }
  }
`;

describe.each(databaseKinds)('identity and access through the gateway (%s)', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(kind);
  });
  afterAll(() => t?.close());

  it('answers a practitioner token with that practitioner', async () => {
    const response = await t.gql(await t.tokenOf('csc'), ME);
    expect(response.errors).toBeUndefined();
    expect(response.data?.me).toMatchObject({
      id: t.demo.people.csc.id,
      roles: ['PRACTITIONER'],
      agency: { kind: 'CHILDRENS_SOCIAL_CARE' },
    });
  });

  it('refuses a request without a token', async () => {
    const response = await t.gql(null, ME);
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a malformed token', async () => {
    const response = await t.gql('not-a-jwt', ME);
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an expired token and one signed by another key', async () => {
    const other = await generateKeyPair('ES256');
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('hub-embedded')
      .setAudience('hub')
      .setSubject(t.demo.people.csc.id)
      .setExpirationTime('1h')
      .sign(other.privateKey);
    expect(codes(await t.gql(foreign, ME))).toEqual(['UNAUTHENTICATED']);

    const expired = await mintToken(t.key, { subject: t.demo.people.csc.id, expiresIn: '-5m' });
    expect(codes(await t.gql(expired, ME))).toEqual(['UNAUTHENTICATED']);
  });

  it('stops a deactivated practitioner on the next request, and lets them back in when reactivated', async () => {
    const token = await t.tokenOf('earlyHelp');
    expect(codes(await t.gql(token, ME))).toEqual([]);
    const off = await t.gql(
      t.adminToken,
      /* GraphQL */ `
        mutation ($id: ID!) {
          setPractitionerActive(id: $id, active: false) {
            active
          }
        }
      `,
      { id: t.demo.people.earlyHelp.id },
    );
    expect(off.data?.setPractitionerActive).toEqual({ active: false });
    expect(codes(await t.gql(token, ME))).toEqual(['UNAUTHENTICATED']);
    await t.gql(
      t.adminToken,
      /* GraphQL */ `
        mutation ($id: ID!) {
          setPractitionerActive(id: $id, active: true) {
            active
          }
        }
      `,
      {
        id: t.demo.people.earlyHelp.id,
      },
    );
    expect(codes(await t.gql(token, ME))).toEqual([]);
  });

  it('sends no ETag with an answer, from the gateway or a subgraph', async () => {
    const query = JSON.stringify({ query: '{ me { id name } }' });
    const viaGateway = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await t.tokenOf('csc')}`,
      },
      body: query,
    });
    expect(viaGateway.status).toBe(200);
    expect(viaGateway.headers.get('etag')).toBeNull();
    const signed = await signedAsPractitioner(t, t.demo.people.csc.id, 'etag-check');
    const direct = await fetch(t.hub.subgraphs.cases.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [ACTOR_HEADER]: signed },
      body: JSON.stringify({ query: '{ boards { id } }' }),
    });
    expect(direct.status).toBe(200);
    expect(direct.headers.get('etag')).toBeNull();
  });

  it('refuses a request sent straight to a subgraph without the gateway signature', async () => {
    const url = t.hub.subgraphs.cases.url;
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ boards { id name } }' }),
      });
    const unsigned = await post({});
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { data?: unknown }).data).toBeUndefined();

    // Signed with a key that is not the hub's: refused as well.
    const forged = await signActor(
      secretKey(newInternalSecret()),
      {
        kind: 'admin',
        id: 'admin',
        roles: ['ADMIN'] as never,
        agencyId: null,
        agencyKind: null,
        boardId: null,
      },
      { correlationId: 'x', ip: null },
    );
    expect((await post({ [ACTOR_HEADER]: forged })).status).toBe(401);
  });

  it('keeps case and child data from analysts and administrators', async () => {
    const caseId = t.demo.cases[0];
    for (const token of [await t.tokenOf('analyst'), await t.tokenOf('admin'), t.adminToken]) {
      const one = await t.gql(
        token,
        /* GraphQL */ `
          query ($id: ID!) {
            case(id: $id) {
              reference
              child {
                name
              }
            }
          }
        `,
        { id: caseId },
      );
      expect(one.data?.case ?? null).toBeNull();
      expect(codes(one)).toEqual(['FORBIDDEN']);
      const list = await t.gql(
        token,
        /* GraphQL */ `
          query ($b: ID!) {
            cases(boardId: $b) {
              totalCount
              edges {
                node {
                  id
                }
              }
            }
          }
        `,
        {
          b: t.demo.boardId,
        },
      );
      expect(list.data?.cases ?? null).toBeNull();
      expect(codes(list)).toEqual(['FORBIDDEN']);
    }
  });

  it("audits the proxy's address and ignores X-Forwarded-For when no proxy is trusted", async () => {
    const correlationId = 'test-untrusted-proxy-1';
    const created = await t.gql(
      t.adminToken,
      /* GraphQL */ `
        mutation {
          createBoard(input: { name: "Proxy Test Board", region: "GB-ENG" }) {
            id
          }
        }
      `,
      {},
      { correlationId, headers: { 'x-forwarded-for': '203.0.113.7' } },
    );
    expect(created.errors).toBeUndefined();
    const audited: { ip: string | null }[] = await t
      .db('cases')
      .orm.em.fork()
      .getConnection()
      .execute('select ip from audit_entry where correlation_id = ?', [correlationId]);
    expect(audited).toHaveLength(1);
    expect(['127.0.0.1', '::ffff:127.0.0.1']).toContain(audited[0]!.ip);
  });

  it('echoes a correlation id and answers health checks', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${t.adminToken}`,
        'x-correlation-id': 'test-corr-1',
      },
      body: JSON.stringify({ query: '{ boards { id } }' }),
    });
    expect(response.headers.get('x-correlation-id')).toBe('test-corr-1');
    const base = t.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
  });
});
