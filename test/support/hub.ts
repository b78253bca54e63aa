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
  clock: TestClock;
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
    options?: { correlationId?: string },
  ): Promise<GraphQLResponse<T>>;
  db(name: SubgraphName): HubDatabase;
  close(): Promise<void>;
}

/** A clock the test moves: the subgraphs read it for every timestamp and deadline. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advanceDays(days: number): void {
    this.offsetMs += days * 24 * 60 * 60 * 1000;
  }
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
      log: createLogger('test', testLogLevel),
      bodyLimit: options.bodyLimit ?? '100kb',
      maxDepth: options.maxDepth ?? 10,
      maxCost: 5000,
      relayIntervalMs: 100,
      overdueIntervalMs: 60_000,
      clock: clock.now,
    });
  let hub = await start();
  const adminToken = await mintToken(key, { subject: 'admin', admin: true });
  const tokenFor = (id: string) => mintToken(key, { subject: id });
  const demo = await seedDemo({ url: hub.url, adminToken, tokenFor });

  async function gql<T>(
    token: string | null,
    query: string,
    variables: Record<string, unknown> = {},
    options: { correlationId?: string } = {},
  ) {
    const response = await fetch(test.url, {
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

  const test: TestHub = {
    hub,
    key,
    clock,
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
      const dbs = NAMES.map((name) => test.hub.subgraphs[name].db);
      // Drop PostgreSQL schemas while the connections are still open, then stop everything.
      for (const [i, name] of NAMES.entries())
        await fresh[name].dispose(dbs[i]).catch(() => undefined);
      await test.hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return test;
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
