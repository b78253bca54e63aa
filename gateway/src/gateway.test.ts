import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BadUserInputError,
  ForbiddenError,
  newInternalSecret,
  secretKey,
  type RunningServer,
} from '@hub/kit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateEmbeddedKey, mintToken, type EmbeddedKey } from './auth/embedded-key.js';
import { createEmbeddedVerifier } from './auth/verify-token.js';
import { startGateway } from './gateway.js';
import {
  composeSupergraph,
  federation,
  startTestSubgraph,
  type DirectoryEntry,
  type SubgraphContext,
  type TestSubgraph,
} from './gateway.test-helpers.js';

const casesTypeDefs = federation(/* GraphQL */ `
  type Query {
    whoami: Whoami!
    forbidden: String
    badInput: String
    broken: String
    slow: String
    widgets(first: Int): [Widget!]!
    node: Node
  }
  type Whoami {
    kind: String!
    id: String!
    roles: [String!]!
    agencyId: String
    correlationId: String!
  }
  type Node {
    value: Int
    child: Node
  }
  type Widget @key(fields: "id") {
    id: ID!
    name: String!
  }
`);

const escalationsTypeDefs = federation(/* GraphQL */ `
  type Widget @key(fields: "id") {
    id: ID!
    secret: String
    refused: String
  }
`);

/** Panels runs with another internal secret, so it refuses every signature the gateway makes. */
const panelsTypeDefs = federation(/* GraphQL */ `
  type Widget @key(fields: "id") {
    id: ID!
    panelNote: String
  }
`);

const SECRET_DETAIL = 'password=hunter2 at db-7.internal';

describe('gateway over real subgraphs', () => {
  const actorKey = secretKey(newInternalSecret());
  const practitionerId = randomUUID();
  const directory = new Map<string, DirectoryEntry>([
    [
      practitionerId,
      {
        id: practitionerId,
        agencyId: 'agency-1',
        agencyKind: 'HEALTH',
        boardId: 'board-1',
        roles: ['PRACTITIONER', 'LINE_MANAGER'],
        active: true,
      },
    ],
  ]);
  const logLines: string[] = [];
  let dataDir: string;
  let key: EmbeddedKey;
  let practitionerToken: string;
  let adminToken: string;
  let cases: TestSubgraph;
  let escalations: TestSubgraph;
  let panels: TestSubgraph;
  let learning: TestSubgraph;
  let gateway: RunningServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-gateway-'));
    key = await loadOrCreateEmbeddedKey(dataDir);
    practitionerToken = await mintToken(key, { subject: practitionerId });
    adminToken = await mintToken(key, { admin: true });

    cases = await startTestSubgraph({
      name: 'cases',
      actorKey,
      directory,
      typeDefs: casesTypeDefs,
      resolvers: {
        Query: {
          whoami: (_: unknown, __: unknown, { actor, meta }: SubgraphContext) => ({
            ...actor,
            correlationId: meta.correlationId,
          }),
          forbidden: () => {
            throw new ForbiddenError('Your agency is not involved in this case.');
          },
          badInput: () => {
            throw new BadUserInputError('input.reason', 'must not be blank');
          },
          broken: () => {
            throw new Error(SECRET_DETAIL);
          },
          slow: async () => {
            await new Promise((resolve) => setTimeout(resolve, 400));
            return 'done';
          },
          widgets: (_: unknown, { first }: { first?: number }) =>
            Array.from({ length: first ?? 2 }, (_item, index) => ({
              id: `w${index}`,
              name: `Widget ${index}`,
            })),
          node: () => ({ value: 1 }),
        },
      },
    });
    escalations = await startTestSubgraph({
      name: 'escalations',
      actorKey,
      typeDefs: escalationsTypeDefs,
      resolvers: {
        Widget: {
          __resolveReference: (reference: { id: string }) => reference,
          secret: () => {
            throw new Error(SECRET_DETAIL);
          },
          refused: () => {
            throw new ForbiddenError('Not your escalation.');
          },
        },
      },
    });
    panels = await startTestSubgraph({
      name: 'panels',
      actorKey: secretKey(newInternalSecret()),
      typeDefs: panelsTypeDefs,
      resolvers: { Widget: { __resolveReference: (reference: { id: string }) => reference } },
    });
    learning = await startTestSubgraph({ name: 'learning', actorKey });

    gateway = await startGateway({
      supergraphSdl: composeSupergraph([
        { name: 'cases', typeDefs: casesTypeDefs },
        { name: 'escalations', typeDefs: escalationsTypeDefs },
        { name: 'panels', typeDefs: panelsTypeDefs },
      ]),
      subgraphUrls: {
        cases: cases.url,
        escalations: escalations.url,
        panels: panels.url,
        learning: learning.url,
      },
      actorKey,
      verifier: createEmbeddedVerifier(key),
      log: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      port: 0,
      bodyLimit: '2kb',
      maxDepth: 4,
      maxCost: 200,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    for (const subgraph of [cases, escalations, panels, learning]) await subgraph?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(
    query: string,
    options: { token?: string | null; headers?: Record<string, string>; body?: string } = {},
  ) {
    const token = options.token === undefined ? practitionerToken : options.token;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      },
      body: options.body ?? JSON.stringify({ query }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: JSON.parse(text) as {
        data?: Record<string, unknown> | null;
        errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
      },
    };
  }

  describe('authentication', () => {
    it('listens on the port it was given (0 = any) and answers /healthz', async () => {
      expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}/graphql`);
      const response = await fetch(new URL('/healthz', gateway.url));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('refuses a request without a token with 401 UNAUTHENTICATED before any subgraph sees it', async () => {
      const before = cases.operations.length;
      const result = await post('{ whoami { id } }', { token: null });
      expect(result.status).toBe(401);
      expect(result.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(result.body).toEqual({
        errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }],
      });
      expect(cases.operations.length).toBe(before);
    });

    it('refuses a malformed token and one signed by another key', async () => {
      expect((await post('{ whoami { id } }', { token: 'garbage' })).status).toBe(401);
      const otherDir = mkdtempSync(join(tmpdir(), 'hub-gateway-other-'));
      try {
        const other = await loadOrCreateEmbeddedKey(otherDir);
        const forged = await mintToken(other, { admin: true });
        const result = await post('{ whoami { id } }', { token: forged });
        expect(result.status).toBe(401);
        expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      } finally {
        rmSync(otherDir, { recursive: true, force: true });
      }
    });

    it("forwards the practitioner's actor from the directory, signed, to the subgraph", async () => {
      const result = await post('{ whoami { kind id roles agencyId } }');
      expect(result.status).toBe(200);
      expect(result.body.data?.whoami).toEqual({
        kind: 'practitioner',
        id: practitionerId,
        roles: ['PRACTITIONER', 'LINE_MANAGER'],
        agencyId: 'agency-1',
      });
      expect(cases.lookups).toContain(practitionerId);
    });

    it('asks the directory on every request, so a deactivation applies to the next one', async () => {
      const lookups = cases.lookups.length;
      expect((await post('{ whoami { id } }')).status).toBe(200);
      expect((await post('{ whoami { id } }')).status).toBe(200);
      expect(cases.lookups.length).toBe(lookups + 2);

      directory.get(practitionerId)!.active = false;
      try {
        const refused = await post('{ whoami { id } }');
        expect(refused.status).toBe(401);
        expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      } finally {
        directory.get(practitionerId)!.active = true;
      }
      expect((await post('{ whoami { id } }')).status).toBe(200);
    });

    it('refuses a valid token whose subject the directory does not know', async () => {
      const stranger = await mintToken(key, { subject: randomUUID() });
      expect((await post('{ whoami { id } }', { token: stranger })).status).toBe(401);
    });

    it('makes the admin token the bootstrap administrator without a directory lookup', async () => {
      const lookups = cases.lookups.length;
      const result = await post('{ whoami { kind id roles } }', { token: adminToken });
      expect(result.body.data?.whoami).toEqual({ kind: 'admin', id: 'admin', roles: ['ADMIN'] });
      expect(cases.lookups.length).toBe(lookups);
    });

    it('answers 503 with a correlation id, not 401, when the directory fails', async () => {
      cases.directoryFails = true;
      try {
        const result = await post('{ whoami { id } }');
        expect(result.status).toBe(503);
        const correlationId = result.headers.get('x-correlation-id');
        expect(result.body.errors?.[0]).toEqual({
          message: `Internal error (correlation id ${correlationId})`,
          extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
        });
      } finally {
        cases.directoryFails = false;
      }
    });
  });

  describe('correlation ids', () => {
    it("echoes a client's sane id and passes it to the subgraph", async () => {
      const result = await post('{ whoami { correlationId } }', {
        headers: { 'x-correlation-id': 'client-req-1' },
      });
      expect(result.headers.get('x-correlation-id')).toBe('client-req-1');
      expect(result.body.data?.whoami).toEqual({ correlationId: 'client-req-1' });
    });

    it('replaces an unsafe id with a UUID of its own', async () => {
      const result = await post('{ whoami { correlationId } }', {
        headers: { 'x-correlation-id': 'a'.repeat(101) },
      });
      const id = result.headers.get('x-correlation-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.body.data?.whoami).toEqual({ correlationId: id });
    });
  });

  describe('errors', () => {
    it("passes a subgraph's FORBIDDEN through without the gateway's serviceName", async () => {
      const result = await post('{ forbidden }');
      expect(result.body.errors).toEqual([
        {
          message: 'Your agency is not involved in this case.',
          path: ['forbidden'],
          extensions: { code: 'FORBIDDEN' },
        },
      ]);
    });

    it("keeps BAD_USER_INPUT's field", async () => {
      const result = await post('{ badInput }');
      expect(result.body.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.reason',
      });
    });

    it('masks an unexpected error and logs the original under the correlation id', async () => {
      const result = await post('{ broken }');
      const correlationId = result.headers.get('x-correlation-id')!;
      expect(result.body.errors).toEqual([
        {
          message: `Internal error (correlation id ${correlationId})`,
          path: ['broken'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
        },
      ]);
      expect(result.text).not.toContain('hunter2');
      expect(result.text).not.toMatch(/stacktrace|exception|serviceName/);
      const logged = logLines.filter((line) => line.includes(correlationId));
      expect(logged.some((line) => line.includes('hunter2'))).toBe(true);
    });

    it('treats errors from entity fetches the same way', async () => {
      const result = await post('{ widgets(first: 1) { id refused secret } }');
      expect(result.body.data).toEqual({ widgets: [{ id: 'w0', refused: null, secret: null }] });
      const byPath = Object.fromEntries(
        (result.body.errors ?? []).map((error) => [error.path?.join('.'), error]),
      );
      expect(byPath['widgets.0.refused']).toMatchObject({
        message: 'Not your escalation.',
        extensions: { code: 'FORBIDDEN' },
      });
      expect(byPath['widgets.0.secret']?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(result.text).not.toMatch(/hunter2|stacktrace|serviceName/);
      expect(escalations.operations.at(-1)?.actor.id).toBe(practitionerId);
    });

    it("masks a subgraph's refusal of the gateway's signature: the hub's fault, not the client's", async () => {
      const result = await post('{ widgets(first: 1) { id panelNote } }');
      expect(result.body.data).toEqual({ widgets: [{ id: 'w0', panelNote: null }] });
      expect(result.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(result.text).not.toContain('UNAUTHENTICATED');
      expect(result.text).not.toContain(panels.url);
    });

    it("passes Apollo's validation errors through", async () => {
      const result = await post('{ nonsense }');
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.body.errors?.[0]?.message).toMatch(/nonsense/);
    });
  });

  describe('limits', () => {
    it('refuses an operation deeper than maxDepth with BAD_USER_INPUT', async () => {
      const result = await post('{ node { child { child { child { child { value } } } } } }');
      expect(result.body.data).toBeUndefined();
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.body.errors?.[0]?.message).toMatch(/depth limit of 4/);
    });

    it('refuses an operation costlier than maxCost with BAD_USER_INPUT', async () => {
      // 300 widgets count 300: each object 1, its scalar fields nothing.
      const result = await post('{ widgets(first: 300) { id name } }');
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.body.errors?.[0]?.message).toMatch(/limit of 200 exceeded, found 300:/);
    });

    it('answers an oversized body with 413 and a GraphQL-shaped error', async () => {
      const body = JSON.stringify({
        query: '{ whoami { id } }',
        variables: { pad: 'x'.repeat(4096) },
      });
      const result = await post('', { body });
      expect(result.status).toBe(413);
      expect(result.body).toEqual({
        errors: [{ message: expect.stringMatching(/2kb/), extensions: { code: 'BAD_USER_INPUT' } }],
      });
    });

    it('answers malformed JSON with 400 and a GraphQL-shaped error', async () => {
      const result = await post('', { body: '{"query": ' });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    });
  });

  describe('GraphiQL', () => {
    it('serves the page to a browser, with every asset from the hub itself', async () => {
      const response = await fetch(gateway.url, {
        headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      const html = await response.text();
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(sources).toHaveLength(5);
      for (const source of sources) {
        expect(source).toMatch(/^\/graphiql\/assets\//);
        const asset = await fetch(new URL(source, gateway.url));
        expect(asset.status, source).toBe(200);
        expect((await asset.text()).length, source).toBeGreaterThan(100);
      }
    });

    it('answers API clients at GET /graphql with GraphQL, behind authentication', async () => {
      const response = await fetch(gateway.url, { headers: { accept: '*/*' } });
      expect(response.status).toBe(401);
    });
  });

  describe('readiness', () => {
    it('is ready when every subgraph is', async () => {
      const response = await fetch(new URL('/readyz', gateway.url));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: 'ready',
        subgraphs: { cases: 'ready', escalations: 'ready', panels: 'ready', learning: 'ready' },
      });
    });

    it('answers 503 naming the subgraphs that are not ready', async () => {
      learning.ready = false;
      try {
        const response = await fetch(new URL('/readyz', gateway.url));
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({
          status: 'unavailable',
          subgraphs: {
            cases: 'ready',
            escalations: 'ready',
            panels: 'ready',
            learning: 'unavailable',
          },
        });
      } finally {
        learning.ready = true;
      }
    });
  });
});

describe('gateway shutdown', () => {
  it('finishes a request in flight, then stops accepting', async () => {
    const actorKey = secretKey(newInternalSecret());
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-gateway-close-'));
    const typeDefs = federation(/* GraphQL */ `
      type Query {
        slow: String
      }
    `);
    const subgraph = await startTestSubgraph({
      name: 'cases',
      actorKey,
      typeDefs,
      resolvers: {
        Query: {
          slow: async () => {
            await new Promise((resolve) => setTimeout(resolve, 300));
            return 'done';
          },
        },
      },
    });
    try {
      const key = await loadOrCreateEmbeddedKey(dataDir);
      const gateway = await startGateway({
        supergraphSdl: composeSupergraph([{ name: 'cases', typeDefs }]),
        subgraphUrls: {
          cases: subgraph.url,
          escalations: subgraph.url,
          panels: subgraph.url,
          learning: subgraph.url,
        },
        actorKey,
        verifier: createEmbeddedVerifier(key),
        log: pino({ level: 'silent' }),
        port: 0,
        bodyLimit: '1mb',
        maxDepth: 10,
        maxCost: 5000,
      });
      const inFlight = fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await mintToken(key, { admin: true })}`,
        },
        body: JSON.stringify({ query: '{ slow }' }),
      });
      // Let the request reach the subgraph before closing.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await gateway.close();
      const response = await inFlight;
      expect(await response.json()).toEqual({ data: { slow: 'done' } });
      await expect(fetch(new URL('/healthz', gateway.url))).rejects.toThrow();
    } finally {
      await subgraph.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
