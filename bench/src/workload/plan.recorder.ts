import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenVerifier, startGateway, type EmbeddedKey } from '@hub/gateway';
import { createLogger, secretKey } from '@hub/kit';
import type { SubgraphName } from '../dataset/tables.js';
import type { Operation, OperationData } from './workload.operations.js';

/** One subgraph request an operation's query plan makes. */
export interface SubgraphCall {
  subgraph: SubgraphName;
  /** The subgraph's GraphQL URL. */
  url: string;
  /** The request body the gateway sent (query, variables, representations). */
  body: string;
  /** How many times the plan sends this very request. */
  times: number;
}

/** What the hub's gateway did for one operation. */
export interface RecordedOperation {
  /** The answer's `data`. */
  data: OperationData;
  /** The subgraph requests, in the order they arrived. */
  calls: SubgraphCall[];
}

export interface RecordingSetup {
  supergraphSdl: string;
  subgraphUrls: Record<SubgraphName, string>;
  internalSecret: string;
  key: EmbeddedKey;
  /** A token for each operation's practitioner. */
  tokenFor(practitionerId: string): Promise<string>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'keep-alive']);

/**
 * Runs each operation once through the hub's own gateway (started in this process, with the
 * same supergraph) whose subgraph URLs point at recording proxies in front of the running
 * subgraphs, and keeps the subgraph requests its query plan made. The direct measurement sends
 * exactly those requests to the subgraphs. Each answer is checked (no errors, the expected
 * number of items), so a benchmark never measures how fast the hub says NOT_FOUND.
 */
export async function recordPlans(
  setup: RecordingSetup,
  operations: readonly Operation[],
): Promise<Map<Operation['name'], RecordedOperation>> {
  let calls: { subgraph: SubgraphName; body: string }[] = [];
  const proxies: Server[] = [];
  const proxyUrls = {} as Record<SubgraphName, string>;
  const log = createLogger('bench', 'warn');
  try {
    for (const [name, target] of Object.entries(setup.subgraphUrls) as [SubgraphName, string][]) {
      const origin = new URL(target).origin;
      const proxy = createServer((request, response) => {
        void (async () => {
          const body = await readBody(request);
          if (request.method === 'POST' && request.url === '/graphql') {
            calls.push({ subgraph: name, body });
          }
          const headers: Record<string, string> = {};
          for (const [header, value] of Object.entries(request.headers)) {
            if (typeof value === 'string' && !HOP_BY_HOP.has(header)) headers[header] = value;
          }
          const answer = await fetch(`${origin}${request.url}`, {
            method: request.method,
            headers,
            body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
          });
          response.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
          });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })().catch((error: unknown) => {
          response.writeHead(502).end(String(error));
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxies.push(proxy);
      proxyUrls[name] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
    }
    const gateway = await startGateway({
      supergraphSdl: setup.supergraphSdl,
      subgraphUrls: proxyUrls,
      actorKey: secretKey(setup.internalSecret),
      verifier: await createTokenVerifier({}, setup.key),
      log,
      port: 0,
      bodyLimit: '1mb',
      maxDepth: 10,
      maxCost: 5000,
    });
    const recorded = new Map<Operation['name'], RecordedOperation>();
    try {
      for (const operation of operations) {
        calls = [];
        const response = await fetch(gateway.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${await setup.tokenFor(operation.practitionerId)}`,
          },
          body: JSON.stringify({ query: operation.query, variables: operation.variables }),
        });
        const answer = (await response.json()) as {
          data?: OperationData;
          errors?: unknown[];
        };
        if (answer.errors || !answer.data) {
          throw new Error(`${operation.name} answered errors: ${JSON.stringify(answer.errors)}`);
        }
        const problem = operation.check(answer.data);
        if (problem) throw new Error(`${operation.name}: ${problem}`);
        const grouped: SubgraphCall[] = [];
        for (const call of calls) {
          const same = grouped.find((g) => g.subgraph === call.subgraph && g.body === call.body);
          if (same) same.times += 1;
          else grouped.push({ ...call, url: setup.subgraphUrls[call.subgraph], times: 1 });
        }
        recorded.set(operation.name, { data: answer.data, calls: grouped });
      }
    } finally {
      await gateway.close();
    }
    return recorded;
  } finally {
    await Promise.all(
      proxies.map((proxy) => {
        proxy.closeAllConnections();
        return new Promise((resolve) => proxy.close(() => resolve(undefined)));
      }),
    );
  }
}
