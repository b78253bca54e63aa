import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { subgraphAgent, subgraphFetcher } from './subgraph-fetcher.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server like a subgraph's (Node's, announcing its keep-alive timeout), counting connections. */
async function server(keepAliveMs: number, delayFor: (path: string) => number = () => 0) {
  let connections = 0;
  const http: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(
        () => {
          if (req.url?.endsWith('broken')) {
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end('upstream gone');
            return;
          }
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: { path: req.url } }));
        },
        delayFor(req.url ?? ''),
      );
    });
  });
  http.keepAliveTimeout = keepAliveMs;
  http.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

const post = (url: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ __typename }', url }),
});

describe('the gateway-to-subgraph HTTP client', () => {
  const servers: { close(): Promise<void> }[] = [];
  const agents: Agent[] = [];
  const fetcherOf = () => {
    const agent = subgraphAgent();
    agents.push(agent);
    return subgraphFetcher(agent);
  };
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.close();
    for (const s of servers.splice(0)) await s.close();
  });

  it('keeps its connections for the next requests', async () => {
    const subgraph = await server(5000);
    servers.push(subgraph);
    const fetcher = fetcherOf();
    for (let i = 0; i < 10; i += 1) {
      const response = await fetcher(subgraph.url(`/graphql?${i}`), post(`${i}`));
      expect(response.status).toBe(200);
      await response.json();
    }
    // undici may open a second connection for a request sent the moment the last answer ended
    // (before the first connection counts as free again); never one a request.
    expect(subgraph.connections()).toBeLessThanOrEqual(2);
  });

  it('drops an idle connection before the subgraph closes it, so none is reused as it closes', async () => {
    // The server announces `Keep-Alive: timeout=2` and closes after 2 s idle; the client must
    // let go a second earlier. A client that kept it would reuse it here: one connection.
    const subgraph = await server(2000);
    servers.push(subgraph);
    const fetcher = fetcherOf();
    await (await fetcher(subgraph.url('/graphql?a'), post('a'))).json();
    await sleep(1400);
    const response = await fetcher(subgraph.url('/graphql?b'), post('b'));
    expect(await response.json()).toEqual({ data: { path: '/graphql?b' } });
    expect(subgraph.connections()).toBe(2);
  });

  it('does not cut short a slow answer on a reused connection', async () => {
    const subgraph = await server(2000, (path) => (path.endsWith('slow') ? 1500 : 0));
    servers.push(subgraph);
    const fetcher = fetcherOf();
    await (await fetcher(subgraph.url('/graphql?fast'), post('fast'))).json();
    await sleep(50);
    // On the same connection, idle a moment; the answer takes longer (1.5 s) than undici keeps an
    // idle connection here (1 s): a request in flight is not idle.
    const slow = await fetcher(subgraph.url('/graphql?slow'), post('slow'));
    expect(await slow.json()).toEqual({ data: { path: '/graphql?slow' } });
    expect(subgraph.connections()).toBe(1);
  });

  it('hands over an answer that is not 2xx as it came, for the data source to report', async () => {
    const subgraph = await server(5000);
    servers.push(subgraph);
    const response = await fetcherOf()(subgraph.url('/graphql?broken'), post('broken'));
    expect(response.ok).toBe(false);
    expect(response.status).toBe(502);
    expect(response.statusText).toBe('Bad Gateway');
    expect(response.headers.get('Content-Type')).toBe('text/plain');
    expect(await response.text()).toBe('upstream gone');
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });
});
