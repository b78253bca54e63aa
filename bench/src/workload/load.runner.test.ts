import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasGraphQLErrors, percentile, runLoad } from './load.runner.js';

describe('runLoad', () => {
  let server: Server;
  let url: string;
  const nonces: string[] = [];
  const bodies = new Set<string>();
  let failed = 0;

  beforeAll(async () => {
    // Every tenth request fails with HTTP 500, every tenth but five answers GraphQL errors.
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const nonce = String(request.headers['x-bench-nonce']);
        nonces.push(nonce);
        bodies.add(`${request.headers['content-type']} ${body}`);
        const n = Number(nonce.split('-').pop());
        if (n % 10 === 0) {
          failed += 1;
          response.writeHead(500).end('{"errors":[{"message":"boom"}]}');
        } else if (n % 10 === 5) {
          failed += 1;
          response.writeHead(200).end('{"data":null,"errors":[{"message":"no"}]}');
        } else {
          response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the body with a nonce unique to every request, and counts failed answers as errors', async () => {
    const result = await runLoad(
      { url, body: '{"query":"{ x }"}', headers: (nonce) => ({ 'x-bench-nonce': nonce }) },
      { connections: 4, durationSeconds: 1, noncePrefix: 'test' },
    );
    expect(nonces.length).toBeGreaterThan(20);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(nonces.every((nonce) => /^test-\d+$/.test(nonce))).toBe(true);
    expect([...bodies]).toEqual(['application/json {"query":"{ x }"}']);
    // Answers still in flight when the run ends are neither counted nor timed.
    expect(result.requests).toBeLessThanOrEqual(nonces.length);
    expect(result.requests).toBeGreaterThanOrEqual(nonces.length - 4);
    expect(result.errors).toBeGreaterThanOrEqual(failed - 4);
    expect(result.errors).toBeLessThanOrEqual(failed);
    expect(result.errors).toBeGreaterThan(0);
    expect(result.firstError).toMatch(/HTTP 500|"errors":/);
    expect(result.requestsPerSecond).toBeCloseTo(result.requests / result.seconds);
    expect(result.p50).toBeGreaterThanOrEqual(0);
    expect(result.p99).toBeGreaterThanOrEqual(result.p95);
    expect(result.p95).toBeGreaterThanOrEqual(result.p50);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('hasGraphQLErrors', () => {
  it('finds an errors member', () => {
    expect(hasGraphQLErrors('{"data":null,"errors":[]}')).toBe(true);
    expect(hasGraphQLErrors('{"data":{"text":"no errors here"}}')).toBe(false);
  });
});
