import autocannon from 'autocannon';

/** One kind of request a run sends, again and again. */
export interface LoadTarget {
  /** The full URL, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  body: string;
  /**
   * The headers of one request, given a nonce unique to it: every request differs (a gateway
   * that shares the answer of identical requests in flight would otherwise answer most of
   * them without doing the work).
   */
  headers(nonce: string): Record<string, string>;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  /** Prefixes every nonce, so two runs never share one. */
  noncePrefix: string;
}

export interface LoadResult {
  /** Responses received in the run. */
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles over every response, ms. */
  p50: number;
  p95: number;
  p99: number;
  /** Connection errors and timeouts, non-2xx answers, and answers carrying GraphQL `errors`. */
  errors: number;
  /** The first error seen, to say what went wrong. */
  firstError: string | null;
}

/** The `p`-th percentile (0–100) of ascending values, nearest rank; 0 for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** A GraphQL answer with `errors` is a failure even at HTTP 200. */
export function hasGraphQLErrors(body: string): boolean {
  return body.includes('"errors":');
}

/**
 * Sends `target` over `connections` keep-alive connections for `durationSeconds` with autocannon
 * (closed loop: each connection sends its next request when the last one is answered) and
 * measures every response's latency itself, since autocannon's summary has no p95.
 */
export function runLoad(target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  let failed = 0;
  let firstError: string | null = null;
  const latencies: number[] = [];
  const note = (message: string) => {
    firstError ??= message.slice(0, 500);
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections: options.connections,
        duration: options.durationSeconds,
        pipelining: 1,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            body: target.body,
            setupRequest: (request) => {
              counter += 1;
              return {
                ...request,
                headers: {
                  'content-type': 'application/json',
                  ...target.headers(`${options.noncePrefix}-${counter}`),
                },
              };
            },
            onResponse: (status, body) => {
              if (status < 300 && !hasGraphQLErrors(body)) return;
              failed += 1;
              note(status < 300 ? body : `HTTP ${status}: ${body}`);
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        latencies.sort((a, b) => a - b);
        const sorted = Float64Array.from(latencies);
        resolve({
          requests: latencies.length,
          seconds: result.duration,
          requestsPerSecond: latencies.length / result.duration,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          errors: result.errors + failed,
          firstError,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
    instance.on('reqError', (error) => note(`request error: ${String(error)}`));
  });
}
