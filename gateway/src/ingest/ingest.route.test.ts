import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, newInternalSecret, secretKey, type Actor } from '@hub/kit';
import { educationPlugin } from '@hub/plugin-education';
import type { AgencyPlugin } from '@hub/plugin-sdk';
import { AgencyKind, Role } from '@hub/schema';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateEmbeddedKey, mintToken } from '../auth/embedded-key.js';
import { createEmbeddedVerifier } from '../auth/verify-token.js';
import { correlate } from '../http/correlation-id.middleware.js';
import { ingestRoutes } from './ingest.route.js';
import { startApplyStandIn, type ApplyStandIn } from './ingest.test-helpers.js';

/** A pupil of a Common Transfer File (its UPN passes the check letter). */
const PUPIL =
  '<Pupil><UPN>H801200001001</UPN><Surname>Marsh</Surname><Forename>Ellie</Forename>' +
  '<DOB>2015-03-01</DOB></Pupil>';
const CTF_HEAD = '<?xml version="1.0" encoding="UTF-8"?><CTfile><CTFpupilData>';
const CTF_TAIL = '</CTFpupilData></CTfile>';
const ctf = (pupils: number) => CTF_HEAD + PUPIL.repeat(pupils) + CTF_TAIL;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/**
 * POSTs over a plain socket, chunk by chunk (no Content-Length unless given, so chunked): the
 * answer may come before the body is sent, and a test can stop sending part-way (`hold`) or
 * drop the connection (`abandon`).
 */
function post(
  url: string,
  headers: Record<string, string>,
  chunks: string[],
  options: { hold?: boolean; abandonAfterMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }),
      );
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    (async () => {
      for (const chunk of chunks) {
        if (answered) return;
        if (!req.write(chunk)) await new Promise((next) => req.once('drain', next));
      }
      if (options.abandonAfterMs !== undefined) {
        setTimeout(() => req.destroy(), options.abandonAfterMs);
        return;
      }
      if (!options.hold) req.end();
    })().catch(reject);
  });
}

describe('POST /ingest/{plugin} (route)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-ingest-route-'));
  const actorKey = secretKey(newInternalSecret());
  const school: Actor = {
    kind: 'practitioner',
    id: randomUUID(),
    roles: [Role.INTEGRATION],
    agencyId: randomUUID(),
    agencyKind: AgencyKind.EDUCATION,
    boardId: randomUUID(),
  };
  const logLines: Record<string, any>[] = [];
  let cases: ApplyStandIn;
  let server: Server;
  let base: string;
  let token: string;
  const headers = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/xml' });

  beforeAll(async () => {
    const key = await loadOrCreateEmbeddedKey(dataDir);
    token = await mintToken(key, { subject: school.id });
    cases = await startApplyStandIn(actorKey);
    const app = express();
    app.use(
      correlate(
        createLogger('test', 'info', { write: (line: string) => logLines.push(JSON.parse(line)) }),
      ),
    );
    app.use(
      ingestRoutes({
        plugins: [educationPlugin() as AgencyPlugin],
        verifier: createEmbeddedVerifier(key),
        // The directory's answer for the one account this test uses.
        loadActor: async (identity) => (identity.subject === school.id ? school : null),
        subgraphUrls: {
          cases: cases.url,
          escalations: cases.url,
          panels: cases.url,
          learning: cases.url,
        },
        actorKey,
        bodyLimit: '100kb',
        maxBytes: 64 * 1024,
        stallMs: 300,
      }),
    );
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await cases.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    cases.calls.length = 0;
    cases.answer = (call) => ({
      status: 200,
      body: { outcomes: call.records.map(() => ({ status: 'created' })) },
    });
    logLines.length = 0;
  });

  it('streams the body through the plugin into the subgraph and answers the report', async () => {
    const answer = await post(`${base}/ingest/education`, headers(), [
      CTF_HEAD,
      PUPIL,
      PUPIL + CTF_TAIL,
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      plugin: 'education',
      received: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      rejected: [],
    });
    expect(cases.calls.flatMap((call) => call.records.map((r) => r.record.kind))).toEqual([
      'child',
      'child',
    ]);
    expect(cases.calls[0]!.practitionerId).toBe(school.id);
    const run = logLines.find((line) => line.msg === 'ingest run');
    expect(run).toMatchObject({ plugin: 'education', received: 2, created: 2, rejected: 0 });
    expect(run!.correlationId).toBe(cases.calls[0]!.meta.correlationId);
    // Counts only: no record content in the log.
    expect(JSON.stringify(logLines)).not.toContain('Marsh');
  });

  it('answers 408 when the client stops sending, and keeps what was applied', async () => {
    const answer = await post(
      `${base}/ingest/education`,
      headers(),
      [CTF_HEAD, PUPIL.repeat(501)],
      { hold: true },
    );
    expect(answer.status).toBe(408);
    expect(answer.body.error).toMatch(/no part of the body arrived for 0.3 s/);
    expect(answer.body.error).toMatch(/stay applied/);
    // The first 500 pupils made a batch (sent in calls within the body limit); the last never.
    expect(cases.calls.flatMap((call) => call.records)).toHaveLength(500);
  });

  it('does not count the time a subgraph takes to apply as the client stalling', async () => {
    cases.answer = async (call) => {
      await new Promise((resolve) => setTimeout(resolve, 900));
      return { status: 200, body: { outcomes: call.records.map(() => ({ status: 'created' })) } };
    };
    const answer = await post(`${base}/ingest/education`, headers(), [ctf(3)]);
    expect(answer.status).toBe(200);
    expect(answer.body.created).toBe(3);
  });

  it("answers the subgraph's failure as 502 with the correlation id", async () => {
    cases.answer = () => ({ status: 500, body: { error: 'none of it was written' } });
    const answer = await post(`${base}/ingest/education`, headers(), [ctf(2)]);
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatch(/the cases subgraph failed to apply a batch \(HTTP 500\)/);
    expect(answer.body.correlationId).toBe(answer.headers['x-correlation-id']);
    expect(logLines.find((line) => line.level === 50)?.msg).toMatch(/ingest run stopped/);
  });

  it('answers 403 when a subgraph no longer accepts the account mid-run', async () => {
    cases.answer = () => ({
      status: 403,
      body: { error: 'the integration account is deactivated' },
    });
    const answer = await post(`${base}/ingest/education`, headers(), [ctf(1)]);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toContain('the integration account is deactivated');
  });

  it('answers 413 to a chunked body that grows past the limit while the client still sends', async () => {
    const answer = await post(
      `${base}/ingest/education`,
      headers(),
      // 128 KiB in 4 KiB chunks, against a 64 KiB limit.
      [CTF_HEAD, ...Array.from({ length: 32 }, () => `<!--${'x'.repeat(4089)}-->`)],
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ limit: 65536 });
    expect(answer.headers.connection).toBe('close');
  });

  it('stops the run when the client goes away, applying nothing it had not yet sent', async () => {
    await post(`${base}/ingest/education`, headers(), [CTF_HEAD, PUPIL.repeat(10)], {
      abandonAfterMs: 50,
    }).catch(() => undefined);
    await expect
      .poll(() => logLines.find((line) => /client closed/.test(line.msg)), { timeout: 3000 })
      .toMatchObject({ plugin: 'education', actor: school.id });
    // The ten pupils read were waiting for a batch: none reaches the subgraph.
    expect(cases.calls).toHaveLength(0);
  });

  it('takes POST only', async () => {
    const response = await fetch(`${base}/ingest/education`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
