import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { expressMiddleware } from '@as-integrations/express5';
import {
  ACTOR_HEADER,
  newInternalSecret,
  secretKey,
  unauthenticatedBody,
  verifyActor,
  type Actor,
  type RequestMeta,
  type RunningServer,
} from '@hub/kit';
import { Role } from '@hub/schema';
import express from 'express';
import { parse, type DocumentNode } from 'graphql';
import { pino } from 'pino';
import { loadOrCreateEmbeddedKey, mintToken } from './auth/embedded-key.js';
import { createEmbeddedVerifier } from './auth/verify-token.js';
import { startGateway } from './gateway.js';

/** A directory entry as the cases subgraph's `/internal/actor/:id` answers it. */
export interface DirectoryEntry {
  id: string;
  agencyId: string | null;
  agencyKind: string | null;
  boardId: string | null;
  roles: string[];
  active: boolean;
}

export interface TestSubgraphOptions {
  name: string;
  actorKey: Uint8Array;
  /** Federation subgraph SDL and resolvers; without them the server answers /readyz only. */
  typeDefs?: DocumentNode;
  resolvers?: GraphQLResolverMap<SubgraphContext>;
  /** Serves GET /internal/actor/:id from this map, as the cases subgraph does. */
  directory?: Map<string, DirectoryEntry>;
  /** Accepts batched operations (a JSON array), as the hub's subgraphs do. @default true */
  batching?: boolean;
}

export interface SubgraphContext {
  actor: Actor;
  meta: RequestMeta;
}

/** A small real subgraph on 127.0.0.1 that checks the gateway's signature like the kit does. */
export interface TestSubgraph {
  name: string;
  url: string;
  /** What /readyz answers: 200 when true, 503 otherwise. */
  ready: boolean;
  /** When true, /internal/actor answers 500, as a directory with a broken database would. */
  directoryFails: boolean;
  /** Every signed actor that reached /graphql, with its request's meta: one per HTTP request. */
  operations: SubgraphContext[];
  /** Each HTTP request's body at /graphql: one operation, or an array of them (a batch). */
  bodies: unknown[];
  /** Every practitioner id looked up through /internal/actor. */
  lookups: string[];
  close(): Promise<void>;
}

export async function startTestSubgraph(options: TestSubgraphOptions): Promise<TestSubgraph> {
  const app = express();
  const httpServer = createServer(app);
  const state: TestSubgraph = {
    name: options.name,
    url: '',
    ready: true,
    directoryFails: false,
    operations: [],
    bodies: [],
    lookups: [],
    close: async () => undefined,
  };

  app.get('/readyz', (_req, res) => {
    res.status(state.ready ? 200 : 503).json({ status: state.ready ? 'ready' : 'unavailable' });
  });

  const { directory } = options;
  if (directory) {
    app.get('/internal/actor/:id', async (req, res) => {
      try {
        const { actor } = await verifyActor(options.actorKey, req.get(ACTOR_HEADER));
        if (actor.kind !== 'service') {
          res.status(403).json({ error: 'internal route' });
          return;
        }
      } catch {
        res.status(401).json(unauthenticatedBody('unsigned'));
        return;
      }
      state.lookups.push(req.params.id);
      if (state.directoryFails) {
        res.status(500).json({ error: 'database unavailable' });
        return;
      }
      const entry = directory.get(req.params.id);
      if (!entry) res.status(404).json({ error: 'no such practitioner' });
      else res.json(entry);
    });
  }

  let apollo: ApolloServer<SubgraphContext> | null = null;
  if (options.typeDefs) {
    apollo = new ApolloServer<SubgraphContext>({
      schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]),
      // Stack traces on purpose: the gateway must strip them before a client sees an error.
      includeStacktraceInErrorResponses: true,
      allowBatchedHttpRequests: options.batching ?? true,
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginInlineTraceDisabled(),
      ],
    });
    await apollo.start();
    app.use(
      '/graphql',
      async (req, res, next) => {
        try {
          res.locals.signed = await verifyActor(options.actorKey, req.get(ACTOR_HEADER));
          next();
        } catch {
          res.status(401).json(unauthenticatedBody('Only the gateway may call this subgraph.'));
        }
      },
      express.json(),
      (req, _res, next) => {
        state.bodies.push(req.body);
        next();
      },
      expressMiddleware(apollo, {
        context: async ({ res }) => {
          const signed = res.locals.signed as SubgraphContext;
          state.operations.push(signed);
          return signed;
        },
      }),
    );
  }

  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/graphql`;
  state.close = async () => {
    if (apollo) await apollo.stop();
    else await new Promise((resolve) => httpServer.close(resolve));
  };
  return state;
}

/**
 * Composes a supergraph from the given subgraphs. The URLs written into it point nowhere, so a
 * test passes only when the gateway uses the URLs it is given.
 */
export function composeSupergraph(subgraphs: { name: string; typeDefs: DocumentNode }[]): string {
  const result = composeServices(
    subgraphs.map(({ name, typeDefs }) => ({
      name,
      typeDefs,
      url: `http://${name}.invalid/graphql`,
    })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

export const federation = (sdl: string): DocumentNode =>
  parse(
    `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n${sdl}`,
  );

/** Federation SDL and resolvers of one test subgraph. */
export interface TestSubgraphSchema {
  typeDefs: DocumentNode;
  resolvers?: GraphQLResolverMap<SubgraphContext>;
}

/** The gateway over a cases and an escalations subgraph, and a practitioner's token for it. */
export interface EntityFetchWorld {
  gateway: RunningServer;
  cases: TestSubgraph;
  escalations: TestSubgraph;
  token: string;
  close(): Promise<void>;
}

/**
 * A gateway over two real test subgraphs, cases (which also answers the directory) and
 * escalations, composed from their SDL; panels and learning answer /readyz only. For the tests
 * of the fetches a query plan sends from one subgraph's answer to another.
 */
export async function startEntityFetchWorld(schemas: {
  cases: TestSubgraphSchema;
  escalations: TestSubgraphSchema;
}): Promise<EntityFetchWorld> {
  const actorKey = secretKey(newInternalSecret());
  const practitionerId = randomUUID();
  const directory = new Map<string, DirectoryEntry>([
    [
      practitionerId,
      {
        id: practitionerId,
        agencyId: null,
        agencyKind: null,
        boardId: null,
        roles: [Role.PRACTITIONER],
        active: true,
      },
    ],
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-entity-fetch-'));
  const subgraphs: TestSubgraph[] = [];
  let gateway: RunningServer | undefined;
  const close = async () => {
    await gateway?.close();
    for (const subgraph of subgraphs) await subgraph.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const cases = await startTestSubgraph({ name: 'cases', actorKey, directory, ...schemas.cases });
    subgraphs.push(cases);
    const escalations = await startTestSubgraph({
      name: 'escalations',
      actorKey,
      ...schemas.escalations,
    });
    subgraphs.push(escalations);
    const panels = await startTestSubgraph({ name: 'panels', actorKey });
    subgraphs.push(panels);
    const learning = await startTestSubgraph({ name: 'learning', actorKey });
    subgraphs.push(learning);
    const key = await loadOrCreateEmbeddedKey(dataDir);
    gateway = await startGateway({
      supergraphSdl: composeSupergraph([
        { name: 'cases', typeDefs: schemas.cases.typeDefs },
        { name: 'escalations', typeDefs: schemas.escalations.typeDefs },
      ]),
      subgraphUrls: {
        cases: cases.url,
        escalations: escalations.url,
        panels: panels.url,
        learning: learning.url,
      },
      actorKey,
      verifier: createEmbeddedVerifier(key),
      log: pino({ level: 'silent' }),
      port: 0,
      bodyLimit: '100kb',
      maxDepth: 10,
      maxCost: 1000,
    });
    const token = await mintToken(key, { subject: practitionerId });
    return { gateway, cases, escalations, token, close };
  } catch (error) {
    await close();
    throw error;
  }
}
