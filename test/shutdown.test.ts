import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedKey, mintToken } from '@hub/gateway';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, startProcess, userEnvironment, type HubProcess } from './support/process.js';

/**
 * The embedded hub as a user runs it (`npm start`, or the built command a service manager
 * runs), stopped as they stop it: Ctrl-C in the terminal, or SIGTERM. Real processes, without
 * vitest's NODE_ENV=test, after ordinary use and with keep-alive connections left open.
 */
const BOUND_MS = 10_000;
const started: HubProcess[] = [];
const dataDirs: string[] = [];

afterEach(() => killAll(started));
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function embeddedEnvironment(extra: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-shutdown-'));
  dataDirs.push(dataDir);
  return {
    dataDir,
    env: userEnvironment({
      HUB_DATA_DIR: dataDir,
      PORT: '0',
      CASES_PORT: '0',
      ESCALATIONS_PORT: '0',
      PANELS_PORT: '0',
      LEARNING_PORT: '0',
      HUB_DEMO: '0',
      // The scheduler runs often, so a stop may well find it mid-scan.
      HUB_OVERDUE_INTERVAL_MS: '1000',
      ...extra,
    }),
  };
}

/** Uses the hub as a client would, leaving an idle keep-alive connection open to the gateway. */
async function useTheHub(url: string, dataDir: string): Promise<Agent> {
  const key = await loadEmbeddedKey(dataDir);
  expect(key, 'the hub created its signing key').not.toBeNull();
  const token = await mintToken(key!, { subject: 'admin', admin: true });
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
  const body = JSON.stringify({
    query: 'mutation { createBoard(input: { name: "Shutdown board", region: "GB-ENG" }) { id } }',
  });
  const answer = await new Promise<string>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  expect(JSON.parse(answer).data.createBoard.id).toBeTruthy();
  // The socket stays open and idle in the agent's pool.
  expect(Object.keys(agent.freeSockets).length).toBe(1);
  return agent;
}

describe('stopping the embedded hub', () => {
  it('exits 0 within the bound on SIGTERM (a service manager), after use, with idle keep-alive connections', async () => {
    const { dataDir, env } = embeddedEnvironment();
    const hub = startProcess(process.execPath, ['cli/dist/main.js', 'start'], env);
    started.push(hub);
    const line = await hub.waitFor(/GraphQL: +(http\S+)/);
    const url = /GraphQL: +(http\S+)/.exec(line)![1]!;
    const agent = await useTheHub(url, dataDir);

    const exit = await hub.stop('SIGTERM');
    agent.destroy();
    expect(exit, hub.lines.join('\n')).toMatchObject({ code: 0 });
    expect(exit.ms).toBeLessThan(BOUND_MS);
    // The one process keeps its heap near what is live (cli/src/heap.ts), by default 30 %.
    expect(hub.logs()).toContainEqual(expect.objectContaining({ heapGrowthPercent: 30 }));
    const messages = hub.logs().map((entry) => entry.msg);
    expect(messages).toContain('shutting down: finishing requests in flight, flushing the outbox');
    expect(messages).toContain('stopped');
  });

  it('exits 0 on Ctrl-C in the terminal that ran `npm start` (SIGINT to the whole process group)', async () => {
    const { dataDir, env } = embeddedEnvironment();
    const hub = startProcess('npm', ['start'], env, { detached: true });
    started.push(hub);
    const line = await hub.waitFor(/GraphQL: +(http\S+)/, 120_000);
    const url = /GraphQL: +(http\S+)/.exec(line)![1]!;
    const agent = await useTheHub(url, dataDir);

    const exit = await hub.stop('SIGINT', { group: true });
    agent.destroy();
    expect(exit.ms).toBeLessThan(BOUND_MS);
    expect(hub.logs().map((entry) => entry.msg)).toContain('stopped');
    // npm reports the child's Ctrl-C as its own; what matters is that nothing keeps running.
    expect(() => process.kill(-hub.child.pid!, 0)).toThrow();
  });

  it('does not let a client that never finishes its request hold the stop past a configured bound', async () => {
    const { dataDir, env } = embeddedEnvironment({ HUB_SHUTDOWN_TIMEOUT_MS: '2000' });
    const hub = startProcess(process.execPath, ['cli/dist/main.js', 'start'], env);
    started.push(hub);
    const line = await hub.waitFor(/GraphQL: +(http\S+)/);
    const url = /GraphQL: +(http\S+)/.exec(line)![1]!;
    await useTheHub(url, dataDir).then((agent) => agent.destroy());
    const token = await mintToken((await loadEmbeddedKey(dataDir))!, {
      subject: 'admin',
      admin: true,
    });
    // A request whose body never arrives in full stays in flight until the server gives up on it.
    const stuck = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': '1000',
        authorization: `Bearer ${token}`,
      },
    });
    const cut = new Promise((resolve) => stuck.on('error', resolve));
    stuck.write('{"query":');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const exit = await hub.stop('SIGTERM');
    expect(exit, hub.lines.join('\n')).toMatchObject({ code: 0 });
    expect(exit.ms).toBeLessThan(2000);
    // It waited for the request (most of the bound), then closed the connection.
    expect(exit.ms).toBeGreaterThan(1000);
    await cut;
  });

  it('stops cleanly when stopped while still starting', async () => {
    const { env } = embeddedEnvironment();
    const hub = startProcess(process.execPath, ['cli/dist/main.js', 'start'], env);
    started.push(hub);
    // The first subgraph listens; the others and the gateway are still to come.
    await hub.waitFor(/"msg":"subgraph listening"/);
    const exit = await hub.stop('SIGTERM');
    expect(exit, hub.lines.join('\n')).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(BOUND_MS);
  });
});
