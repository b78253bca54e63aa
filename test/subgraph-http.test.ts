import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_HEADER } from '@hub/kit';
import { signedAsPractitioner, startTestHub, type TestHub } from './support/hub.js';

/**
 * A subgraph's /graphql is served without Express (subgraphs/kit/src/graphql-http.ts): what
 * Express and body-parser answered before, it answers itself. HTTP, not data: SQLite only.
 */
describe("a subgraph's /graphql over HTTP", () => {
  let t: TestHub;
  let url: string;
  let signed: string;
  beforeAll(async () => {
    t = await startTestHub('sqlite', { bodyLimit: '100kb' });
    url = t.hub.subgraphs.cases.url;
    signed = await signedAsPractitioner(t, t.demo.people.csc.id, 'subgraph-http');
  });
  afterAll(() => t?.close());

  const send = (init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array;
  }) =>
    fetch(url, {
      method: init.method ?? 'POST',
      headers: { [ACTOR_HEADER]: signed, ...init.headers },
      body: init.body,
    });
  const refusal = async (response: Response) => {
    const body = (await response.json()) as {
      data?: unknown;
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(body.data).toBeUndefined();
    return { status: response.status, ...body.errors[0]! };
  };
  const json = { 'content-type': 'application/json' };

  it('answers one operation and a batch of them, as the gateway sends them', async () => {
    const one = await send({ headers: json, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await one.json()).toEqual({ data: { __typename: 'Query' } });

    const batch = await send({
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify([
        { query: '{ __typename }' },
        { query: 'query Two { boards { id } }', operationName: 'Two' },
      ]),
    });
    expect(batch.status).toBe(200);
    const answers = (await batch.json()) as { data: Record<string, unknown> }[];
    expect(answers).toHaveLength(2);
    expect(answers[0]).toEqual({ data: { __typename: 'Query' } });
    expect(Array.isArray(answers[1]!.data.boards)).toBe(true);
  });

  it('refuses a body over the limit with 413, naming the limit', async () => {
    const query = `{ __typename } # ${'x'.repeat(120 * 1024)}`;
    const response = await send({ headers: json, body: JSON.stringify({ query }) });
    expect(await refusal(response)).toEqual({
      status: 413,
      message: 'The request body is larger than 100kb.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('refuses what is not JSON, JSON in another charset and a compressed body with 415', async () => {
    const text = await send({
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await refusal(text)).toMatchObject({
      status: 415,
      message: 'Send the operation as JSON (Content-Type: application/json).',
      extensions: { code: 'BAD_REQUEST' },
    });
    const latin1 = await send({
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await refusal(latin1)).toMatchObject({
      status: 415,
      extensions: { code: 'BAD_REQUEST' },
    });
    const gzipped = await send({
      headers: { ...json, 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ query: '{ __typename }' })),
    });
    expect(await refusal(gzipped)).toMatchObject({
      status: 415,
      message: 'Content-Encoding gzip is not accepted.',
    });
  });

  it('refuses a body that is not valid JSON with 400', async () => {
    const response = await send({ headers: json, body: '{"query": "{ __typename }"' });
    expect(await refusal(response)).toEqual({
      status: 400,
      message: 'The request body is not valid JSON.',
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('leaves a GET to Apollo Server (its operation in the query string) and refuses PUT', async () => {
    const get = await fetch(`${url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { [ACTOR_HEADER]: signed, 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });

    const put = await send({ method: 'PUT', headers: json, body: '{}' });
    expect(put.status).toBe(405);
  });

  it('refuses an unsigned request with 401 whatever it carries', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(200 * 1024),
    });
    expect(await refusal(response)).toEqual({
      status: 401,
      message: 'This subgraph answers only requests signed by the hub gateway.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
