import { STATUS_CODES } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Agent, request } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/**
 * Longest a connection to a subgraph stays open unused when the subgraph announces a longer
 * keep-alive (`Keep-Alive: timeout=…`). undici closes an idle connection a second before the
 * timeout the server announces (`keepAliveTimeoutThreshold`), and after four seconds when the
 * server announces none.
 */
const MAX_IDLE_MS = 60_000;

/** The connections the gateway keeps to its subgraphs: one pool per origin, kept alive. */
export function subgraphAgent(): Agent {
  return new Agent({ keepAliveMaxTimeout: MAX_IDLE_MS, keepAliveTimeoutThreshold: 1_000 });
}

/**
 * A subgraph's answer, read whole, as Apollo Gateway's data source reads it (status, content
 * type, `json()`), without a Fetch API body stream. `parsed` is the body already parsed (one
 * operation's answer out of a batch's), so it is not turned into text and parsed again.
 */
export class SubgraphResponse implements FetcherResponse {
  readonly bodyUsed = false;
  readonly redirected = false;
  private cachedHeaders: Headers | undefined;

  constructor(
    readonly url: string,
    readonly status: number,
    private readonly contentType: string | null,
    private readonly body: { text: string } | { parsed: unknown },
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get statusText(): string {
    return STATUS_CODES[this.status] ?? '';
  }

  get headers(): FetcherResponse['headers'] {
    this.cachedHeaders ??= new Headers(
      this.contentType ? { 'content-type': this.contentType } : {},
    );
    return this.cachedHeaders;
  }

  text(): Promise<string> {
    return Promise.resolve('text' in this.body ? this.body.text : JSON.stringify(this.body.parsed));
  }

  json(): Promise<unknown> {
    // A promise that rejects on bad JSON, as a Fetch API response's does.
    return 'text' in this.body
      ? this.text().then((text) => JSON.parse(text) as unknown)
      : Promise.resolve(this.body.parsed);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(await this.text());
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  clone(): SubgraphResponse {
    return new SubgraphResponse(this.url, this.status, this.contentType, this.body);
  }
}

function firstValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * The gateway's HTTP client for subgraph requests: undici's `request` over `agent`'s kept-alive
 * connections, each answer read whole. It was node-fetch, whose Fetch API objects (a body
 * stream for every request and answer) were about a tenth of the gateway's CPU under the case
 * page. An idle connection is closed a second before the subgraph would close it (so none is
 * reused just as the server closes it, which a CI run once met as ECONNRESET); a slow answer is
 * not cut short (undici's own limits: five minutes for the headers, five between body chunks).
 */
export function subgraphFetcher(agent: Agent): Fetcher {
  return async (url, init) => {
    const response = await request(url, {
      method: (init?.method ?? 'GET') as 'GET' | 'POST',
      headers: init?.headers,
      body: init?.body,
      signal: init?.signal as AbortSignal | undefined,
      dispatcher: agent,
    });
    const text = await response.body.text();
    return new SubgraphResponse(
      url,
      response.statusCode,
      firstValue(response.headers['content-type']),
      { text },
    );
  };
}
