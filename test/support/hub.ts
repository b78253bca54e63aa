import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo, startHub, type DemoData, type RunningHub, type SubgraphName } from '@hub/cli';
import {
  createTokenVerifier,
  loadOrCreateEmbeddedKey,
  mintToken,
  type EmbeddedKey,
} from '@hub/gateway';
import { createLogger, newInternalSecret, type HubDatabase } from '@hub/kit';
import { testLogLevel } from './config.js';
import { freshTarget, type DatabaseKind } from './databases.js';

const SUPERGRAPH = readFileSync(
  new URL('../../schema/supergraph.graphql', import.meta.url),
  'utf8',
);
const NAMES: SubgraphName[] = ['cases', 'escalations', 'panels', 'learning'];

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestHub {
  hub: RunningHub;
  /** The embedded signing key (tests mint odd tokens with it). */
  key: EmbeddedKey;
  url: string;
  adminToken: string;
  demo: DemoData;
  tokenFor(practitionerId: string): Promise<string>;
  /** The token of a demo practitioner by key (e.g. `csc`, `housing`, `boardManager`). */
  tokenOf(key: string): Promise<string>;
  gql<T = Record<string, any>>(
    token: string | null,
    query: string,
    variables?: Record<string, unknown>,
    options?: { correlationId?: string },
  ): Promise<GraphQLResponse<T>>;
  db(name: SubgraphName): HubDatabase;
  close(): Promise<void>;
}

/**
 * The whole hub in this process on free ports: four subgraphs on real databases (fresh SQLite
 * files or fresh PostgreSQL schemas), the gateway over real HTTP, the demo board as fixture.
 */
export async function startTestHub(
  kind: DatabaseKind,
  options: { maxDepth?: number; bodyLimit?: string } = {},
): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-data-'));
  const fresh = Object.fromEntries(NAMES.map((name) => [name, freshTarget(kind, name)])) as Record<
    SubgraphName,
    ReturnType<typeof freshTarget>
  >;
  const key = await loadOrCreateEmbeddedKey(dataDir);
  const hub = await startHub({
    targets: Object.fromEntries(NAMES.map((name) => [name, fresh[name].target])) as never,
    ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
    internalSecret: newInternalSecret(),
    verifier: await createTokenVerifier({}, key),
    supergraphSdl: SUPERGRAPH,
    log: createLogger('test', testLogLevel),
    bodyLimit: options.bodyLimit ?? '100kb',
    maxDepth: options.maxDepth ?? 10,
    maxCost: 5000,
    relayIntervalMs: 200,
  });
  const adminToken = await mintToken(key, { subject: 'admin', admin: true });
  const tokenFor = (id: string) => mintToken(key, { subject: id });
  const demo = await seedDemo({ url: hub.url, adminToken, tokenFor });

  async function gql<T>(
    token: string | null,
    query: string,
    variables: Record<string, unknown> = {},
    options: { correlationId?: string } = {},
  ) {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.correlationId ? { 'x-correlation-id': options.correlationId } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
    return { status: response.status, headers: response.headers, ...body };
  }

  return {
    hub,
    key,
    url: hub.url,
    adminToken,
    demo,
    tokenFor,
    tokenOf: (personKey) => tokenFor(demo.people[personKey].id),
    gql,
    db: (name) => hub.subgraphs[name].db,
    async close() {
      const dbs = NAMES.map((name) => hub.subgraphs[name].db);
      // Drop PostgreSQL schemas while the connections are still open, then stop everything.
      for (const [i, name] of NAMES.entries())
        await fresh[name].dispose(dbs[i]).catch(() => undefined);
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error codes of a response, in order. */
export function codes(response: GraphQLResponse): (string | undefined)[] {
  return (response.errors ?? []).map((e) => e.extensions?.code as string | undefined);
}
