import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newInternalSecret, secretKey, verifyActor, type Actor } from '@hub/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphAgent } from '../graphql/subgraph-fetcher.js';
import { ADMIN_ACTOR, createActorLoader, type ActorLoader } from './load-actor.js';

const meta = { correlationId: 'cid-1', ip: '127.0.0.1' };

describe('createActorLoader', () => {
  const actorKey = secretKey(newInternalSecret());
  const requests: { path: string; caller: Actor | null }[] = [];
  const answers = new Map<string, { status: number; body: unknown }>();
  let server: Server;
  let load: ActorLoader;
  let loadBySubject: ActorLoader;

  beforeAll(async () => {
    // The cases subgraph's /internal/actor/:id, as far as the gateway relies on it.
    server = createServer(async (req, res) => {
      const caller = await verifyActor(actorKey, req.headers['x-hub-actor'] as string).then(
        (verified) => verified.actor,
        () => null,
      );
      requests.push({ path: req.url ?? '', caller });
      if (req.url === '/internal/actor/slow') return; // never answers
      const answer = answers.get(req.url ?? '') ?? { status: 404, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    load = createActorLoader({ casesUrl: `http://127.0.0.1:${port}/graphql`, actorKey, agent });
    loadBySubject = createActorLoader({
      casesUrl: `http://127.0.0.1:${port}/graphql`,
      actorKey,
      agent,
      by: 'externalSubject',
    });
  });
  const agent = subgraphAgent();
  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const entry = (id: string, active: boolean) => ({
    id,
    agencyId: 'a-1',
    agencyKind: 'POLICE',
    boardId: 'b-1',
    roles: ['PRACTITIONER'],
    active,
  });

  it('loads an active practitioner, calling as the gateway service', async () => {
    answers.set('/internal/actor/p-1', { status: 200, body: entry('p-1', true) });
    await expect(load({ subject: 'p-1', admin: false }, meta)).resolves.toEqual({
      kind: 'practitioner',
      id: 'p-1',
      roles: ['PRACTITIONER'],
      agencyId: 'a-1',
      agencyKind: 'POLICE',
      boardId: 'b-1',
    });
    expect(requests.at(-1)?.caller).toMatchObject({ kind: 'service', id: 'gateway' });
  });

  it('answers null for an unknown or deactivated practitioner', async () => {
    answers.set('/internal/actor/p-2', { status: 200, body: entry('p-2', false) });
    await expect(load({ subject: 'p-2', admin: false }, meta)).resolves.toBeNull();
    await expect(load({ subject: 'nobody', admin: false }, meta)).resolves.toBeNull();
  });

  it('builds the bootstrap administrator without asking the directory', async () => {
    const before = requests.length;
    await expect(load({ subject: 'admin', admin: true }, meta)).resolves.toEqual(ADMIN_ACTOR);
    expect(requests.length).toBe(before);
  });

  it('never lets a subject step out of /internal/actor/', async () => {
    const before = requests.length;
    await expect(load({ subject: '..', admin: false }, meta)).resolves.toBeNull();
    await load({ subject: 'a/../../x', admin: false }, meta);
    expect(requests.slice(before).map((request) => request.path)).toEqual([
      '/internal/actor/a%2F..%2F..%2Fx',
    ]);
  });

  it('gives up on a directory that does not answer in time', async () => {
    const impatient = createActorLoader({
      casesUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      actorKey,
      agent,
      timeoutMs: 300,
    });
    const started = Date.now();
    await expect(impatient({ subject: 'slow', admin: false }, meta)).rejects.toThrow(/abort|time/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('throws when the directory fails or answers nonsense', async () => {
    answers.set('/internal/actor/p-3', { status: 500, body: {} });
    await expect(load({ subject: 'p-3', admin: false }, meta)).rejects.toThrow(/500/);
    answers.set('/internal/actor/p-4', { status: 200, body: { id: 'p-4', roles: 'ALL' } });
    await expect(load({ subject: 'p-4', admin: false }, meta)).rejects.toThrow();
  });

  describe('by external subject (OIDC)', () => {
    it('looks the subject up, never as an id, calling as the gateway service', async () => {
      answers.set('/internal/actor-by-subject?subject=auth0%7Calice', {
        status: 200,
        body: entry('p-5', true),
      });
      await expect(loadBySubject({ subject: 'auth0|alice', admin: false }, meta)).resolves.toEqual(
        expect.objectContaining({ kind: 'practitioner', id: 'p-5' }),
      );
      expect(requests.at(-1)?.caller).toMatchObject({ kind: 'service', id: 'gateway' });

      answers.set('/internal/actor/p-1', { status: 200, body: entry('p-1', true) });
      await expect(loadBySubject({ subject: 'p-1', admin: false }, meta)).resolves.toBeNull();
      expect(requests.at(-1)?.path).toBe('/internal/actor-by-subject?subject=p-1');
    });

    it('carries any subject faithfully, and does not ask about one too long to be stored', async () => {
      const before = requests.length;
      for (const subject of ['..', 'a/../../x', 'ü &=?#']) {
        await loadBySubject({ subject, admin: false }, meta);
      }
      await expect(
        loadBySubject({ subject: 'x'.repeat(256), admin: false }, meta),
      ).resolves.toBeNull();
      expect(requests.slice(before).map((request) => request.path)).toEqual([
        '/internal/actor-by-subject?subject=..',
        '/internal/actor-by-subject?subject=a%2F..%2F..%2Fx',
        '/internal/actor-by-subject?subject=%C3%BC+%26%3D%3F%23',
      ]);
    });

    it('answers null for a deactivated practitioner', async () => {
      answers.set('/internal/actor-by-subject?subject=bob', {
        status: 200,
        body: entry('p-6', false),
      });
      await expect(loadBySubject({ subject: 'bob', admin: false }, meta)).resolves.toBeNull();
    });

    it('makes an administrator subject the ADMIN actor named by its subject', async () => {
      const before = requests.length;
      await expect(loadBySubject({ subject: 'auth0|root', admin: true }, meta)).resolves.toEqual({
        ...ADMIN_ACTOR,
        id: 'auth0|root',
      });
      expect(requests.length).toBe(before);
    });
  });
});
