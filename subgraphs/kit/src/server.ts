import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { ACTOR_HEADER, verifyActor, type RequestMeta } from './actor.js';
import { AuditWriter } from './audit/audit-writer.js';
import { createHubContext, type HubContext } from './context.js';
import type { HubDatabase } from './db.js';
import { isClientErrorCode, uniqueViolationConflict, violatedUniqueKey } from './errors.js';
import { graphqlHandler, refusalBody, UNSIGNED, type Authenticated } from './graphql-http.js';
import type { Logger } from './log.js';
import type { OutboxRelay } from './outbox/outbox.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, drainGraceMs } from './process.js';

/** `/graphql`, with or without a query string or a trailing slash, as Express routed it. */
function isGraphqlPath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === '/graphql' || path === '/graphql/';
}

/** Apollo's own codes for requests it could not parse or validate; clients need to see them. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** True when a formatted error may be shown to a client as it is. */
export function isClientVisible(error: GraphQLFormattedError): boolean {
  const code = error.extensions?.code;
  return isClientErrorCode(code) || (typeof code === 'string' && REQUEST_ERROR_CODES.has(code));
}

const INVALID_VARIABLE = /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"/s;
const BAD_VARIABLE = /^Variable "\$(\w+)"/;

/**
 * Names the input field of a BAD_USER_INPUT that GraphQL raised while coercing variables
 * (`Variable "$input" got invalid value … at "input.child.dateOfBirth"`), so that every
 * BAD_USER_INPUT carries `extensions.field` as the contract promises.
 */
export function withInputField(error: GraphQLFormattedError): GraphQLFormattedError {
  if (error.extensions?.code !== 'BAD_USER_INPUT') return error;
  const nested = INVALID_VARIABLE.exec(error.message);
  const variable = BAD_VARIABLE.exec(error.message);
  const field = nested?.[2] ?? variable?.[1];
  if (!field || error.extensions.field) return error;
  return { ...error, extensions: { ...error.extensions, field } };
}

export function unauthenticatedBody(message: string) {
  return refusalBody(message, 'UNAUTHENTICATED');
}

export interface SubgraphServerOptions<C extends HubContext> {
  name: string;
  schema: GraphQLSchema;
  db: HubDatabase;
  /** Key that verifies the gateway's signed actor header. */
  actorKey: Uint8Array;
  log: Logger;
  relay: OutboxRelay;
  bodyLimit: string;
  /** How long requests in flight may take to finish on close. @default 6000 */
  drainMs?: number;
  createContext(base: HubContext): C;
  clock: () => Date;
  /** Routes under /internal, for other hub services (actor kind `service`) only. */
  internal?(router: Router): void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The request facts (correlation id, client address) of a call to an `/internal` route, as the
 * calling service signed them: for its log lines and its EntityManager's `loggerContext`, so the
 * statements it sends are counted and logged under the request that caused them.
 */
export function internalRequestMeta(res: Response): RequestMeta {
  return (res.locals.auth as Authenticated).meta;
}

function requireActor(key: Uint8Array, log: Logger, serviceOnly: boolean) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const verified = await verifyActor(key, req.header(ACTOR_HEADER));
      if (serviceOnly && verified.actor.kind !== 'service') {
        res
          .status(403)
          .json({ errors: [{ message: 'Internal route', extensions: { code: 'FORBIDDEN' } }] });
        return;
      }
      res.locals.auth = verified satisfies Authenticated;
      next();
    } catch (error) {
      // The caller's mistake, not the subgraph's: one line saying why, no stack trace. The path
      // leaves out the query string, where a GET may carry a whole operation.
      log.warn(
        {
          path: req.originalUrl.split('?')[0],
          reason: error instanceof Error ? error.message : String(error),
        },
        'refused a request without a valid gateway signature',
      );
      res.status(401).json(unauthenticatedBody(UNSIGNED));
    }
  };
}

/**
 * Starts a subgraph's HTTP server: /graphql (only with the gateway's signed actor header; served
 * without Express, graphql-http.ts), /internal/* for hub services, GET /healthz and GET /readyz.
 */
export async function startSubgraphServer<C extends HubContext>(
  options: SubgraphServerOptions<C>,
  listen: { port: number; host?: string },
): Promise<RunningServer> {
  const { db, log } = options;
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every answer's body for an ETag. Nothing here is to be cached or revalidated
  // (answers about children least of all), so it was only cost: about half a per cent of the CPU.
  app.disable('etag');
  // Requests arrive once it listens, below, when `graphql` is set.
  const httpServer: Server = createServer((req, res) => {
    if (isGraphqlPath(req.url!)) {
      graphql(req, res).catch((error: unknown) => {
        log.error({ err: error }, 'unexpected error outside GraphQL execution');
        if (res.headersSent) res.destroy();
        else {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(refusalBody('Internal error', 'INTERNAL_SERVER_ERROR')));
        }
      });
      return;
    }
    app(req, res);
  });

  const logErrors: ApolloServerPlugin<C> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            const constraint = violatedUniqueKey(error);
            if (constraint) {
              (contextValue?.log ?? log).warn(
                { constraint, path: error.path },
                'a unique key refused a change (answered CONFLICT)',
              );
            } else if (!isClientErrorCode(code) && !REQUEST_ERROR_CODES.has(String(code))) {
              (contextValue?.log ?? log).error(
                { err: error.originalError ?? error, path: error.path },
                'unexpected error',
              );
            }
          }
        },
      };
    },
  };

  const apollo = new ApolloServer<C>({
    schema: options.schema,
    // No Apollo usage reporting here, so no inline traces for it.
    // The process's own handler (closeOnSignals) stops the hub in order; Apollo's would race it.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: options.drainMs ?? drainGraceMs(DEFAULT_SHUTDOWN_TIMEOUT_MS),
      }),
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints: answers about children are never to be cached. Apollo installs the
      // cache-control plugin otherwise, whose per-field hook wraps every resolver in the schema.
      ApolloServerPluginCacheControlDisabled(),
      logErrors,
    ],
    includeStacktraceInErrorResponses: false,
    // The gateway sends a client request's parallel queries to this subgraph as one batch
    // (gateway/src/graphql/batching-fetcher.ts); they share one context. Only the gateway,
    // with a signed actor, reaches /graphql.
    allowBatchedHttpRequests: true,
    formatError: (formatted, error) => {
      if (isClientVisible(formatted)) return withInputField(formatted);
      const uniqueKey = violatedUniqueKey(error);
      if (uniqueKey) {
        const conflict = uniqueViolationConflict(uniqueKey);
        return { ...formatted, message: conflict.message, extensions: conflict.extensions };
      }
      return { message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    },
  });
  await apollo.start();
  const auditWriter = new AuditWriter(db);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', subgraph: options.name });
  });
  app.get('/readyz', async (_req, res) => {
    const database = await db.ping();
    res
      .status(database ? 200 : 503)
      .json({ status: database ? 'ready' : 'unavailable', subgraph: options.name, database });
  });

  if (options.internal) {
    const router = express.Router();
    router.use(requireActor(options.actorKey, log, true));
    router.use(express.json({ limit: options.bodyLimit }));
    options.internal(router);
    app.use('/internal', router);
  }

  const context = async ({ actor, meta }: Authenticated) =>
    options.createContext(
      createHubContext({
        em: db.orm.em.fork({
          loggerContext: { correlationId: meta.correlationId },
        }) as SqlEntityManager,
        actor,
        meta,
        log,
        clock: options.clock,
        onChange: () => options.relay.nudge(),
        auditWriter,
      }),
    );
  const graphql = graphqlHandler({
    apollo,
    actorKey: options.actorKey,
    log,
    bodyLimit: options.bodyLimit,
    context,
  });

  await new Promise<void>((resolve) =>
    httpServer.listen(listen.port, listen.host ?? '127.0.0.1', resolve),
  );
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${listen.host ?? '127.0.0.1'}:${port}/graphql`;
  log.info({ url }, 'subgraph listening');
  return {
    url,
    port,
    async close() {
      // Apollo's drain plugin stops accepting and waits for requests in flight.
      await apollo.stop();
      // Requests in flight awaited their own audit entries; this is belt and braces.
      await auditWriter.flushed();
    },
  };
}
