import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import fetch from 'node-fetch';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * Longest a connection to a subgraph stays open unused. Node's agent closes an idle connection
 * one second before the timeout the server announces (`Keep-Alive: timeout=5` from a Node
 * server) only when the agent has a timeout of its own, and this is it.
 */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * The gateway's HTTP client for subgraph requests: node-fetch over keep-alive agents with a
 * timeout. Apollo Gateway's default (make-fetch-happen) keeps idle connections with no timeout,
 * so one left unused for the subgraph server's five seconds could be reused just as the server
 * closed it, and the request failed with ECONNRESET (a CI run met it: the embedded hub's first
 * request after seeding the demo). Only an idle connection is closed: a slow answer is not cut
 * short.
 */
export function subgraphFetcher(): Fetcher {
  const http = new HttpAgent({ keepAlive: true, timeout: IDLE_TIMEOUT_MS });
  const https = new HttpsAgent({ keepAlive: true, timeout: IDLE_TIMEOUT_MS });
  const send = (url: string, init?: Parameters<Fetcher>[1]) =>
    fetch(url, {
      ...(init as Parameters<typeof fetch>[1]),
      agent: (parsed) => (parsed.protocol === 'https:' ? https : http),
    });
  return send as unknown as Fetcher;
}
