import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import getRawBody from 'raw-body';
import { ACTOR_HEADER, verifyActor, type Actor, type RequestMeta } from './actor.js';
import type { Logger } from './log.js';

/** What a request without the gateway's valid signature is told (401). */
export const UNSIGNED = 'This subgraph answers only requests signed by the hub gateway.';

/** A GraphQL-shaped refusal: `{ errors: [{ message, extensions: { code } }] }`. */
export function refusalBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

export interface Authenticated {
  actor: Actor;
  meta: RequestMeta;
}

export interface GraphqlHandlerOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  /** Key that verifies the gateway's signed actor header. */
  actorKey: Uint8Array;
  log: Logger;
  /** The largest body read, in body-parser's notation (`1mb`). */
  bodyLimit: string;
  context(auth: Authenticated): Promise<C>;
}

/** `application/json`, with no charset or UTF-8's (JSON is UTF-8: RFC 8259). */
function isJsonUtf8(contentType: string | undefined): boolean | 'charset' {
  if (!contentType) return false;
  const [essence, ...parameters] = contentType.split(';');
  if (essence!.trim().toLowerCase() !== 'application/json') return false;
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=');
    if (name?.trim().toLowerCase() !== 'charset') continue;
    const charset = value?.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return 'charset';
  }
  return true;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Serves a subgraph's `/graphql` straight from Node's HTTP server. The gateway's every subgraph
 * request (six for a case page) comes this way, and Express's router, its request and
 * response decorations and body-parser were 5–9 % of each subgraph's CPU under the case page,
 * for a route that needs none of them (docs/decisions.md, "Performance"). What they did is done
 * here, in the same order: the signed actor header is checked first (401 before a byte of the
 * body is read); then a POST's body is read as JSON with the same limit (`raw-body`, which
 * body-parser itself reads with) and refused in GraphQL's shape when it is not JSON (415), too
 * large (413), compressed (415) or not valid JSON (400); then Apollo Server answers the request
 * as its Express integration did (a GET's operation is in its query string; other methods get
 * Apollo's 405). The other routes (/healthz, /readyz, /internal) stay with Express.
 */
export function graphqlHandler<C extends BaseContext>(
  options: GraphqlHandlerOptions<C>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { apollo, log } = options;
  return async (req, res) => {
    let auth: Authenticated;
    try {
      auth = await verifyActor(options.actorKey, req.headers[ACTOR_HEADER] as string | undefined);
    } catch (error) {
      // The caller's mistake, not the subgraph's: one line saying why, no stack trace.
      log.warn(
        { path: '/graphql', reason: error instanceof Error ? error.message : String(error) },
        'refused a request without a valid gateway signature',
      );
      send(res, 401, refusalBody(UNSIGNED, 'UNAUTHENTICATED'));
      return;
    }
    const method = req.method!.toUpperCase();
    let body: unknown;
    try {
      if (method === 'POST') body = await readJson(req, options.bodyLimit);
    } catch (error) {
      if (!(error instanceof BodyRefusal)) throw error;
      // What is left of a refused body is not worth reading: the connection closes after this.
      res.setHeader('connection', 'close');
      send(res, error.status, refusalBody(error.message, error.code));
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const query = req.url!.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method,
        headers,
        search: query < 0 ? '' : req.url!.slice(query),
        body,
      },
      context: () => options.context(auth),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

class BodyRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage, limit: string): Promise<unknown> {
  const json = isJsonUtf8(req.headers['content-type']);
  if (json === 'charset') {
    throw new BodyRefusal(415, 'BAD_REQUEST', 'JSON is read as UTF-8 only.');
  }
  if (!json) {
    throw new BodyRefusal(
      415,
      'BAD_REQUEST',
      'Send the operation as JSON (Content-Type: application/json).',
    );
  }
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity') {
    throw new BodyRefusal(415, 'BAD_REQUEST', `Content-Encoding ${encoding} is not accepted.`);
  }
  let body: Buffer;
  try {
    // As bytes, decoded once whole: raw-body decodes a chunk at a time through iconv-lite.
    body = await getRawBody(req, { length: req.headers['content-length'], limit });
  } catch (error) {
    const { type, status } = error as { type?: string; status?: number };
    if (type === 'entity.too.large') {
      throw new BodyRefusal(413, 'BAD_USER_INPUT', `The request body is larger than ${limit}.`);
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      throw new BodyRefusal(status, 'BAD_REQUEST', 'The request body could not be read.');
    }
    throw error;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BodyRefusal(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
}
