import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from '../gateway.test-helpers.js';
import { SUBGRAPH_NAMES, type SubgraphUrls } from '../subgraph-url.js';
import { healthRoutes } from './health.route.js';

describe('readiness while the hub is still starting', () => {
  let subgraphs: TestSubgraph[];
  let server: Server;
  let base: string;
  let waitingFor: string | null = 'demo data';

  beforeAll(async () => {
    const actorKey = new Uint8Array(32);
    subgraphs = await Promise.all(
      SUBGRAPH_NAMES.map((name) => startTestSubgraph({ name, actorKey })),
    );
    const urls = Object.fromEntries(subgraphs.map((s) => [s.name, s.url])) as SubgraphUrls;
    const app = express();
    app.use(healthRoutes(urls, 2000, () => waitingFor));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await Promise.all(subgraphs.map((s) => s.close()));
  });

  it('answers 503 naming what it waits for, though every subgraph is ready, then 200', async () => {
    const starting = await fetch(`${base}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: 'starting', waitingFor: 'demo data' });
    // Alive all the while: a liveness probe must not restart a hub that is seeding.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    waitingFor = null;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
