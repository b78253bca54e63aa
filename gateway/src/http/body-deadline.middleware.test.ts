import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@hub/kit';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyDeadline } from './body-deadline.middleware.js';
import { correlate } from './correlation-id.middleware.js';

describe('bodyDeadline', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.use(correlate(createLogger('test', 'silent')));
    app.use(bodyDeadline(300));
    app.post('/echo', express.json(), (req, res) => res.json(req.body));
    server = createServer(app);
    // As in the gateway: Node's own whole-request bound is off.
    server.requestTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lets a body that arrives in time through', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ok: true }),
    });
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers 408 and closes the connection when the body does not arrive in time', async () => {
    const started = Date.now();
    const answer = await new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '100' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode!, connection: res.headers.connection });
      });
      req.on('error', reject);
      // A tenth of the body, then nothing.
      req.write('{"a":"xxxx');
    });
    expect(answer).toEqual({ status: 408, connection: 'close' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
