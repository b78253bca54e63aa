import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { ACTOR_HEADER } from '@hub/kit';
import { SubgraphResponse } from './subgraph-fetcher.js';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetchInit = NonNullable<Parameters<Fetcher>[1]>;
type FetchResult = Awaited<ReturnType<Fetcher>>;

interface Waiting {
  body: string;
  resolve(response: FetchResult): void;
  reject(error: unknown): void;
}

interface Batch {
  url: string;
  init: FetchInit;
  waiting: Waiting[];
}

/**
 * What Apollo Gateway's data source sends starts `{"query":"` and the operation's text: a query
 * there is told by its first characters, without parsing the variables (a page's entity
 * representations). Raw spaces are the only whitespace JSON leaves unescaped.
 */
const QUERY_BODY = /^\{"query":" *(query\b|\{)/;

/** Only queries go together: a mutation runs alone, and is never sent twice. */
export function isQuery(body: string): boolean {
  if (QUERY_BODY.test(body)) return true;
  try {
    const { query } = JSON.parse(body) as { query?: unknown };
    return typeof query === 'string' && /^\s*(query\b|\{)/.test(query);
  } catch {
    return false;
  }
}

/**
 * Sends the queries one client request makes to one subgraph at the same moment as one HTTP
 * request, a JSON array of operations (Apollo Server's batched requests, which the hub's
 * subgraphs accept), and hands each its own answer. A query plan's parallel entity fetches to
 * one subgraph (four to cases on the case page) then cost one request, one actor check and one
 * context there, whose DataLoaders batch the operations' look-ups together.
 *
 * Fetches go together only when they carry the same signed actor header (the same client
 * request) and are made before the event loop next turns: nothing waits for a batch to fill.
 * Anything else goes as it came. When a batch's answer is not a 2xx array of one result per
 * operation (a subgraph from before batching, during a rolling upgrade), each query is sent
 * again on its own: queries change nothing, so sending one twice is safe.
 */
export function batchingFetcher(send: Fetcher): Fetcher {
  const open = new Map<string, Batch>();

  const sendAlone = (url: string, init: FetchInit, body: string) =>
    send(url, { ...init, body } as FetchInit);

  async function flush(key: string): Promise<void> {
    const batch = open.get(key)!;
    open.delete(key);
    const { url, init, waiting } = batch;
    if (waiting.length === 1) {
      const [only] = waiting as [Waiting];
      sendAlone(url, init, only.body).then(only.resolve, only.reject);
      return;
    }
    let answers: unknown[] | null = null;
    let status = 0;
    let contentType: string | null = null;
    try {
      const response = await send(url, {
        ...init,
        body: `[${waiting.map((w) => w.body).join(',')}]`,
      } as FetchInit);
      status = response.status;
      contentType = response.headers.get('content-type');
      const text = await response.text();
      if (response.ok) {
        const parsed = JSON.parse(text) as unknown;
        if (Array.isArray(parsed) && parsed.length === waiting.length) answers = parsed;
      }
    } catch (error) {
      // The connection failed: so would each request on its own, and each caller says so.
      for (const w of waiting) w.reject(error);
      return;
    }
    if (!answers) {
      for (const w of waiting) sendAlone(url, init, w.body).then(w.resolve, w.reject);
      return;
    }
    // Each operation gets its own answer as parsed, not turned back into text to be parsed again.
    waiting.forEach((w, i) => {
      w.resolve(
        new SubgraphResponse(url, status, contentType ?? 'application/json', {
          parsed: answers[i],
        }),
      );
    });
  }

  return ((url: string, init?: FetchInit) => {
    const body = init?.body;
    const headers = init?.headers as Record<string, string> | undefined;
    const actor = headers?.[ACTOR_HEADER];
    if (!init || typeof body !== 'string' || !actor || !isQuery(body)) return send(url, init);
    const key = `${url}\n${actor}`;
    let batch = open.get(key);
    if (!batch) {
      batch = { url, init, waiting: [] };
      open.set(key, batch);
      setImmediate(() => void flush(key));
    }
    const waiting = batch.waiting;
    return new Promise<FetchResult>((resolve, reject) => waiting.push({ body, resolve, reject }));
  }) as Fetcher;
}
