import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  drainGraceMs,
  refusalBody,
  type Logger,
  type RunningServer,
} from '@hub/kit';
import type { AgencyPlugin } from '@hub/plugin-sdk';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { authenticate, authenticatedOf } from './auth/authenticate.middleware.js';
import { createActorLoader } from './auth/load-actor.js';
import type { TokenVerifier } from './auth/verify-token.js';
import { DEFAULT_INGEST_MAX_BYTES, type TrustProxy } from './config.js';
import { runInRequestScope, type GatewayContext } from './context.js';
import { createErrorFormatter, internalError } from './graphql/mask-error.js';
import { queryCostPlugin, queryLimitRules } from './graphql/query-limits.js';
import { subgraphAgent } from './graphql/subgraph-fetcher.js';
import { SubgraphDataSource } from './graphql/subgraph.data-source.js';
import { bodyDeadline, DEFAULT_BODY_TIMEOUT_MS } from './http/body-deadline.middleware.js';
import { correlate, requestScopeOf } from './http/correlation-id.middleware.js';
import { graphiqlRoutes } from './http/graphiql.route.js';
import { healthRoutes } from './http/health.route.js';
import { ingestRoutes } from './ingest/ingest.route.js';
import { ingestPlugins } from './ingest/plugins.js';
import { SUBGRAPH_NAMES, type SubgraphUrls } from './subgraph-url.js';

/** Everything the gateway needs, passed explicitly so tests and the embedded hub need no env. */
export interface GatewayOptions {
  /** The composed supergraph (schema/supergraph.graphql); subgraphs are never introspected. */
  supergraphSdl: string;
  /** Each subgraph's GraphQL URL; these win over the URLs written in the supergraph. */
  subgraphUrls: SubgraphUrls;
  /** Key that signs the actor header for subgraphs (kit's `secretKey(internalSecret)`). */
  actorKey: Uint8Array;
  verifier: TokenVerifier;
  log: Logger;
  /** 0 picks a free port; the chosen one is in the result. */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Largest request body, e.g. `1mb`. */
  bodyLimit: string;
  /** Deepest selection nesting an operation may have. */
  maxDepth: number;
  /** Highest estimated cost an operation may have. */
  maxCost: number;
  /** How long requests in flight may take to finish on close. @default 6000 */
  drainMs?: number;
  /** How long /readyz waits for each subgraph. @default 2000 */
  readinessTimeoutMs?: number;
  /**
   * What the hub is still doing before clients should use it (e.g. `demo data`), or null: while
   * it names something, /readyz answers 503 `{ status: 'starting', waitingFor }`. @default ready
   */
  waitingFor?: () => string | null;
  /** How long loading the actor from the directory may take. @default 5000 */
  actorTimeoutMs?: number;
  /**
   * Proxies whose X-Forwarded-For gives the client address the audit log records (Express's
   * `trust proxy`, HUB_TRUST_PROXY). @default false (the peer's address; the header is ignored)
   */
  trustProxy?: TrustProxy;
  /** The plugins `POST /ingest/{plugin}` serves. @default the reference plugins (ingest/plugins.ts) */
  ingestPlugins?: readonly AgencyPlugin[];
  /** Largest body `POST /ingest/{plugin}` reads, in bytes (HUB_INGEST_MAX_BYTES). @default 256 MiB */
  ingestMaxBytes?: number;
  /** How long an ingest may wait for the client's next bytes. @default 60000 */
  ingestStallMs?: number;
  /**
   * How long any other request's body may take to arrive (what Node's `requestTimeout` does,
   * which the gateway turns off so that a long ingest is not cut). @default 300000
   */
  bodyTimeoutMs?: number;
}

/**
 * Body-parser's refusals as GraphQL-shaped errors; anything else is masked. Express's default
 * handler would answer HTML with a stack trace outside production.
 */
function bodyErrors(bodyLimit: string): ErrorRequestHandler {
  return (error: { type?: string; status?: number }, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { correlationId, log } = requestScopeOf(res);
    if (error.type === 'entity.too.large') {
      res
        .status(413)
        .json(refusalBody(`The request body is larger than ${bodyLimit}.`, 'BAD_USER_INPUT'));
      return;
    }
    if (error.type === 'entity.parse.failed') {
      res.status(400).json(refusalBody('The request body is not valid JSON.', 'BAD_REQUEST'));
      return;
    }
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      const message = error.type
        ? 'The request body could not be read.'
        : 'The request could not be served.';
      res.status(error.status).json(refusalBody(message, 'BAD_REQUEST'));
      return;
    }
    log.error({ err: error }, 'unexpected error outside GraphQL execution');
    res.status(500).json({ errors: [internalError(correlationId)] });
  };
}

/** Apollo's Express middleware insists on a parsed JSON body for POST; say so in GraphQL terms. */
const requireJsonBody: RequestHandler = (req, res, next) => {
  if (req.method === 'POST' && !req.is('application/json')) {
    res
      .status(415)
      .json(
        refusalBody('Send the operation as JSON (Content-Type: application/json).', 'BAD_REQUEST'),
      );
    return;
  }
  // Express 5 leaves req.body unset for bodiless requests (GET); Apollo's middleware wants the key.
  req.body ??= undefined;
  next();
};

/**
 * Starts the hub's gateway: Apollo Gateway over the supergraph, behind authentication, depth and
 * cost limits and error masking; GraphiQL, /healthz and /readyz beside it. `close()` stops
 * accepting, finishes requests in flight and stops the gateway.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const { log, subgraphUrls } = options;
  const host = options.host ?? '127.0.0.1';
  for (const name of SUBGRAPH_NAMES) {
    if (!subgraphUrls[name]) throw new Error(`No URL for the ${name} subgraph.`);
  }

  const app = express();
  app.disable('x-powered-by');
  // No ETag: Express would hash every answer's body for one, and nothing here is to be cached
  // or revalidated (answers about children least of all).
  app.disable('etag');
  app.set('trust proxy', options.trustProxy ?? false);
  const httpServer = createServer(app);
  // Node ends a request whose body takes over 5 minutes to arrive. An ingest body is read only
  // as fast as the subgraphs apply it, so a large one may take longer: the ingest route bounds
  // its client's silence instead, and bodyDeadline keeps Node's bound for every other route.
  httpServer.requestTimeout = 0;

  // Every call to a subgraph (the query plans' fetches, the actor lookups) goes over these.
  const subgraphConnections = subgraphAgent();
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: log,
    buildService: ({ name }) => {
      const url = subgraphUrls[name as keyof SubgraphUrls];
      if (!url) {
        throw new Error(`The supergraph names a subgraph the gateway has no URL for: ${name}`);
      }
      return new SubgraphDataSource(name, url, options.actorKey, subgraphConnections);
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger: log,
    // Only authenticated callers get this far, and GraphiQL needs the schema.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: queryLimitRules(options),
    formatError: createErrorFormatter(log),
    // The process's own handler (closeOnSignals) stops the hub in order; Apollo's would race it.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: options.drainMs ?? drainGraceMs(DEFAULT_SHUTDOWN_TIMEOUT_MS),
      }),
      // Apollo's default landing page loads from a CDN; GraphiQL is served from the hub instead.
      ApolloServerPluginLandingPageDisabled(),
      queryCostPlugin(options),
    ],
  });
  // Resolved before Apollo starts, so missing GraphiQL files fail start-up with nothing to stop.
  const graphiql = graphiqlRoutes({ tokens: options.verifier.mode });
  await apollo.start();

  const loadActor = createActorLoader({
    casesUrl: subgraphUrls.cases,
    actorKey: options.actorKey,
    agent: subgraphConnections,
    timeoutMs: options.actorTimeoutMs,
    // An external issuer's subjects are its own, so they are looked up, never taken as ids.
    by: options.verifier.mode === 'oidc' ? 'externalSubject' : 'practitionerId',
  });

  app.use(correlate(log));
  app.use(healthRoutes(subgraphUrls, options.readinessTimeoutMs ?? 2000, options.waitingFor));
  // Before the GraphQL route and its JSON parser (and their body limit): the ingest body is
  // streamed into the plugin, bounded by HUB_INGEST_MAX_BYTES.
  app.use(
    ingestRoutes({
      plugins: options.ingestPlugins ?? ingestPlugins(),
      verifier: options.verifier,
      loadActor,
      subgraphUrls,
      actorKey: options.actorKey,
      bodyLimit: options.bodyLimit,
      maxBytes: options.ingestMaxBytes ?? DEFAULT_INGEST_MAX_BYTES,
      stallMs: options.ingestStallMs,
    }),
  );
  app.use(bodyDeadline(options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS));
  app.use(graphiql.assets);
  // The hub's address alone lands on GraphiQL rather than Express's "Cannot GET /".
  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use(
    '/graphql',
    graphiql.page,
    authenticate(options.verifier, loadActor),
    express.json({ limit: options.bodyLimit }),
    requireJsonBody,
    (_req, res, next) => runInRequestScope(requestScopeOf(res), next),
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const { actor, meta } = authenticatedOf(res);
        const scoped = requestScopeOf(res).log.child({ actor: `${actor.kind}:${actor.id}` });
        return { actor, meta, log: scoped } satisfies GatewayContext;
      },
    }),
  );
  app.use(bodyErrors(options.bodyLimit));

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await apollo.stop().catch(() => undefined);
    await subgraphConnections.close().catch(() => undefined);
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`;
  log.info({ url }, 'gateway listening');
  return {
    url,
    port,
    async close() {
      // The drain plugin stops accepting and waits for requests in flight; then the gateway stops,
      // and its connections to the subgraphs are closed.
      await apollo.stop();
      await subgraphConnections.close();
    },
  };
}
