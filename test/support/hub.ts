import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo, startHub, type DemoData, type RunningHub, type SubgraphName } from '@hub/cli';
import {
  createTokenVerifier,
  loadOrCreateEmbeddedKey,
  mintToken,
  type EmbeddedKey,
  type TokenVerifier,
  type TrustProxy,
} from '@hub/gateway';
import {
  createLogger,
  newInternalSecret,
  secretKey,
  signActor,
  type HubDatabase,
  type Logger,
} from '@hub/kit';
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
  clock: TestClock;
  /** The hub's internal secret: tests call subgraphs' /internal routes as a hub service with it. */
  internalSecret: string;
  /** Stops the hub and starts it again on the same databases (not seeded again). */
  restart(): Promise<void>;
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
    options?: RequestOptions,
  ): Promise<GraphQLResponse<T>>;
  db(name: SubgraphName): HubDatabase;
  close(): Promise<void>;
}

/** Extras for one GraphQL request. */
export interface RequestOptions {
  correlationId?: string;
  /** More request headers, e.g. a proxy's `x-forwarded-for`. */
  headers?: Record<string, string>;
}

/**
 * The actor header the gateway would sign for a practitioner (no agency or board), for a request
 * sent straight to a subgraph.
 */
export function signedAsPractitioner(
  t: TestHub,
  practitionerId: string,
  correlationId: string,
): Promise<string> {
  return signActor(
    secretKey(t.internalSecret),
    {
      kind: 'practitioner',
      id: practitionerId,
      roles: ['PRACTITIONER'] as never,
      agencyId: null,
      agencyKind: null,
      boardId: null,
    },
    { correlationId, ip: null },
  );
}

/** POSTs one operation to the gateway, as a client would. */
export async function postGraphQL<T = Record<string, any>>(
  url: string,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.correlationId ? { 'x-correlation-id': options.correlationId } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** A clock the test moves: the subgraphs read it for every timestamp and deadline. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advanceDays(days: number): void {
    this.offsetMs += days * 24 * 60 * 60 * 1000;
  }
  /** Reads `at` from now on, moving on with real time; null sets it back to the real time. */
  set(at: Date | null): void {
    this.offsetMs = at ? at.getTime() - Date.now() : 0;
  }
}

/**
 * The whole hub in this process on free ports: four subgraphs on real databases (fresh SQLite
 * files or fresh PostgreSQL schemas), the gateway over real HTTP, the demo board as fixture.
 */
export async function startTestHub(
  kind: DatabaseKind,
  options: {
    maxDepth?: number;
    bodyLimit?: string;
    /** The hub's logger (a test that asserts on log lines passes one that keeps them). */
    log?: Logger;
    /** HUB_INGEST_MAX_BYTES. @default the gateway's (256 MiB) */
    ingestMaxBytes?: number;
  } = {},
): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-data-'));
  const fresh = Object.fromEntries(NAMES.map((name) => [name, freshTarget(kind, name)])) as Record<
    SubgraphName,
    ReturnType<typeof freshTarget>
  >;
  const key = await loadOrCreateEmbeddedKey(dataDir);
  const clock = new TestClock();
  const internalSecret = newInternalSecret();
  const verifier = await createTokenVerifier({}, key);
  const start = () =>
    startHub({
      targets: Object.fromEntries(NAMES.map((name) => [name, fresh[name].target])) as never,
      ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
      internalSecret,
      verifier,
      supergraphSdl: SUPERGRAPH,
      log: options.log ?? createLogger('test', testLogLevel),
      bodyLimit: options.bodyLimit ?? '100kb',
      maxDepth: options.maxDepth ?? 10,
      maxCost: 5000,
      ingestMaxBytes: options.ingestMaxBytes,
      relayIntervalMs: 100,
      overdueIntervalMs: 60_000,
      clock: clock.now,
    });
  let hub = await start();
  const adminToken = await mintToken(key, { subject: 'admin', admin: true });
  const tokenFor = (id: string) => mintToken(key, { subject: id });
  const demo = await seedDemo({ url: hub.url, adminToken, tokenFor });

  const gql: TestHub['gql'] = (token, query, variables, options) =>
    postGraphQL(test.url, token, query, variables, options);

  const test: TestHub = {
    hub,
    key,
    clock,
    internalSecret,
    url: hub.url,
    adminToken,
    demo,
    tokenFor,
    tokenOf: (personKey) => tokenFor(demo.people[personKey].id),
    gql,
    db: (name) => test.hub.subgraphs[name].db,
    async restart() {
      await test.hub.close();
      hub = await start();
      test.hub = hub;
      test.url = hub.url;
    },
    async close() {
      // The hub flushes its outbox as it stops, so its databases go only after it has.
      await test.hub.close();
      for (const name of NAMES) await fresh[name].dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return test;
}

/** A hub started with settings of the test's choosing and no demo data (see startBareTestHub). */
export interface BareTestHub {
  hub: RunningHub;
  url: string;
  gql: TestHub['gql'];
  db(name: SubgraphName): HubDatabase;
  close(): Promise<void>;
}

/**
 * The whole hub on fresh databases like startTestHub, but verifying tokens with `verifier` (an
 * OIDC issuer the test runs) and without the demo board, which only embedded tokens could seed.
 */
export async function startBareTestHub(
  kind: DatabaseKind,
  options: { verifier: TokenVerifier; trustProxy?: TrustProxy },
): Promise<BareTestHub> {
  const fresh = Object.fromEntries(NAMES.map((name) => [name, freshTarget(kind, name)])) as Record<
    SubgraphName,
    ReturnType<typeof freshTarget>
  >;
  const hub = await startHub({
    targets: Object.fromEntries(NAMES.map((name) => [name, fresh[name].target])) as never,
    ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
    internalSecret: newInternalSecret(),
    verifier: options.verifier,
    trustProxy: options.trustProxy,
    supergraphSdl: SUPERGRAPH,
    log: createLogger('test', testLogLevel),
    bodyLimit: '100kb',
    maxDepth: 10,
    maxCost: 5000,
    relayIntervalMs: 100,
    overdueIntervalMs: 60_000,
  });
  return {
    hub,
    url: hub.url,
    gql: (token, query, variables, requestOptions) =>
      postGraphQL(hub.url, token, query, variables, requestOptions),
    db: (name) => hub.subgraphs[name].db,
    async close() {
      await hub.close();
      for (const name of NAMES) await fresh[name].dispose();
    },
  };
}

/** Retries `check` until it passes (for effects that travel as events), for at most `ms`. */
export async function eventually<T>(check: () => Promise<T>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The error codes of a response, in order. */
export function codes(response: GraphQLResponse): (string | undefined)[] {
  return (response.errors ?? []).map((e) => e.extensions?.code as string | undefined);
}
