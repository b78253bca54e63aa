import type { Request, Response } from 'express';
import { Router } from 'express';
import {
  runIngest,
  UnsupportedContentTypeError,
  type AgencyPlugin,
  type ApplyOutcome,
  type PendingRecord,
  type RecordApplier,
} from '@hub/plugin-sdk';
import { Role } from '@hub/schema';
import {
  authenticate,
  authenticatedOf,
  type AuthenticationBodies,
} from '../auth/authenticate.middleware.js';
import type { ActorLoader } from '../auth/load-actor.js';
import type { TokenVerifier } from '../auth/verify-token.js';
import { requestScopeOf } from '../http/correlation-id.middleware.js';
import type { SubgraphUrls } from '../subgraph-url.js';
import { BodyLimitStream, BodyTooLargeError } from './body-limit.stream.js';
import { HubApplier, SubgraphApplyError } from './hub.applier.js';

/** How long the client may send nothing while the run waits for the body. @default 60 s */
export const DEFAULT_INGEST_STALL_MS = 60_000;

/**
 * How long the gateway goes on reading (and dropping) a body after answering early, before it
 * closes the connection. Closing a socket with unread data resets it, and a client still writing
 * its body could lose the answer in the reset.
 */
const LINGER_MS = 2000;

export interface IngestRouteOptions {
  /** The plugins served, by name (`POST /ingest/{name}`). */
  plugins: readonly AgencyPlugin[];
  verifier: TokenVerifier;
  /** Loads the actor from the directory, as for GraphQL requests. */
  loadActor: ActorLoader;
  /** The cases and escalations subgraphs apply the records. */
  subgraphUrls: SubgraphUrls;
  actorKey: Uint8Array;
  /** The subgraphs' request body limit (HUB_BODY_LIMIT), which each apply call stays under. */
  bodyLimit: string;
  /** Largest body read, in bytes (HUB_INGEST_MAX_BYTES). */
  maxBytes: number;
  /** @default 60000 */
  stallMs?: number;
  /** How long one apply call to a subgraph may take. @default 60000 */
  applyTimeoutMs?: number;
}

/** The ingest endpoint answers JSON `{ error }`, not GraphQL's shape. */
const INGEST_AUTH_BODIES: AuthenticationBodies = {
  unauthenticated: (message) => ({
    error: `${message} Send an INTEGRATION account's token: Authorization: Bearer <token>.`,
  }),
  unavailable: (correlationId) => ({
    error: `The hub could not check the token just now (correlation id ${correlationId}); try again shortly.`,
    correlationId,
  }),
};

/** The client stopped sending the body for longer than the route waits. */
class BodyStalledError extends Error {
  constructor(readonly ms: number) {
    super(`no part of the body arrived for ${ms / 1000} s`);
    this.name = 'BodyStalledError';
  }
}

/** The client closed the connection before the run finished. */
class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientGoneError';
  }
}

/**
 * Answers with the request body possibly still unread: the connection closes afterwards, since
 * the rest of the body is not wanted, but only once the client has finished sending it or
 * LINGER_MS have passed, so a client still writing reads the answer rather than a reset.
 */
function answer(req: Request, res: Response, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.status(status).type('application/json');
  if (req.complete) {
    res.send(payload);
    return;
  }
  res.set({ 'Content-Length': String(Buffer.byteLength(payload)), Connection: 'close' });
  res.write(payload);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(end, LINGER_MS);
  req.once('end', end);
  req.once('error', end);
  // Read on and drop: nothing else consumes it now.
  req.resume();
}

/** What a client learns about the plugins the hub serves. */
function summaryOf(plugin: AgencyPlugin) {
  return {
    name: plugin.name,
    agencyKind: plugin.agencyKind,
    contentTypes: plugin.contentTypes,
    description: plugin.description,
  };
}

/** `Text/CSV; charset=utf-8` → `text/csv`, as the runner compares media types. */
function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** What stopped a run means for the client (nothing, when it went away) and for the log. */
function failureOf(
  error: unknown,
  maxBytes: number,
  correlationId: string,
): {
  level: 'info' | 'error';
  message: string;
  log?: Record<string, unknown>;
  answer?: { status: number; body: Record<string, unknown> };
} {
  const kept =
    'Records applied before then stay applied; applying is idempotent, so sending the same body again is safe.';
  if (error instanceof ClientGoneError) {
    return { level: 'info', message: 'ingest run stopped: the client closed the connection' };
  }
  if (error instanceof BodyTooLargeError) {
    return {
      level: 'info',
      message: 'ingest run stopped: the body went past HUB_INGEST_MAX_BYTES',
      answer: {
        status: 413,
        body: {
          error: `The body is larger than this hub takes (HUB_INGEST_MAX_BYTES, ${maxBytes} bytes); the hub stopped reading it there. ${kept} Split the export.`,
          limit: maxBytes,
        },
      },
    };
  }
  if (error instanceof BodyStalledError) {
    return {
      level: 'info',
      message: 'ingest run stopped: the client stopped sending',
      answer: {
        status: 408,
        body: { error: `The hub stopped waiting: ${error.message}. ${kept}` },
      },
    };
  }
  if (error instanceof SubgraphApplyError) {
    return {
      level: error.status === 403 ? 'info' : 'error',
      message: `ingest run stopped: ${error.message}`,
      log: { subgraph: error.subgraph, status: error.status, detail: error.detail },
      answer: {
        status: error.status,
        body: {
          error:
            error.status === 403
              ? `The hub no longer accepts this integration account: ${error.message}. ${kept}`
              : `The hub stopped part-way: ${error.message}. ${kept}`,
          correlationId,
        },
      },
    };
  }
  if (error instanceof UnsupportedContentTypeError) {
    return {
      level: 'info',
      message: 'ingest refused',
      answer: { status: 415, body: { error: error.message, accepted: error.accepted } },
    };
  }
  return {
    level: 'error',
    message: 'ingest run failed',
    log: { err: error },
    answer: {
      status: 500,
      body: { error: `Internal error (correlation id ${correlationId}). ${kept}`, correlationId },
    },
  };
}

/**
 * `POST /ingest/{plugin}`: an agency system's export or message, streamed through the plugin
 * into the subgraphs (api/README.md). Mounted before the GraphQL route and its JSON parser: the
 * body goes straight into the runner as it arrives, never buffered whole.
 *
 * Before reading the body it answers 401 (no valid token; the same verification and actor
 * loading as GraphQL), 403 (not an active INTEGRATION practitioner, or one of another agency
 * kind than the plugin's), 404 (no such plugin, listing those there are), 415 (a media type the
 * plugin does not read, or a compressed body) and 413 (a Content-Length above `maxBytes`).
 * While reading: 413 when a body without Content-Length grows past `maxBytes`, 408 when the
 * client stops sending, 403 when a subgraph no longer accepts the account, 502/503 when a
 * subgraph fails or cannot be reached. Then records applied before the stop stay applied;
 * applying is idempotent, so sending the same body again is safe and reports them `unchanged`.
 * Otherwise 200 with the ingest report, also when records were rejected.
 */
export function ingestRoutes(options: IngestRouteOptions): Router {
  const router = Router();
  const stallMs = options.stallMs ?? DEFAULT_INGEST_STALL_MS;
  const names = options.plugins.map((plugin) => plugin.name).join(', ');

  router.post(
    '/ingest/:plugin',
    authenticate(options.verifier, options.loadActor, INGEST_AUTH_BODIES),
    async (req, res) => {
      const { actor, meta } = authenticatedOf(res);
      const { log } = requestScopeOf(res);
      const refuse = (status: number, error: string, extra: Record<string, unknown> = {}) => {
        log.info(
          { status, plugin: req.params.plugin, actor: actor.id, reason: error },
          'ingest refused',
        );
        answer(req, res, status, { error, ...extra });
      };

      if (actor.kind !== 'practitioner' || !actor.roles.includes(Role.INTEGRATION)) {
        refuse(
          403,
          'Ingest takes the token of an INTEGRATION account (a practitioner holding the INTEGRATION role); this token is not one.',
        );
        return;
      }
      const plugin = options.plugins.find((candidate) => candidate.name === req.params.plugin);
      if (!plugin) {
        refuse(404, `No plugin "${req.params.plugin}": this hub ingests through ${names}.`, {
          plugins: options.plugins.map(summaryOf),
        });
        return;
      }
      if (actor.agencyKind !== plugin.agencyKind) {
        refuse(
          403,
          `this integration account belongs to a ${actor.agencyKind ?? 'unknown'} agency; the ${plugin.name} plugin takes ${plugin.agencyKind} agencies' data`,
        );
        return;
      }
      const encoding = req.get('content-encoding')?.trim().toLowerCase();
      if (encoding && encoding !== 'identity') {
        refuse(
          415,
          `Send the body uncompressed: the hub does not read Content-Encoding ${encoding}.`,
          { accepted: plugin.contentTypes },
        );
        return;
      }
      const contentType = mediaTypeOf(req.get('content-type'));
      if (!plugin.contentTypes.some((accepted) => mediaTypeOf(accepted) === contentType)) {
        refuse(
          415,
          new UnsupportedContentTypeError(plugin.name, contentType, plugin.contentTypes).message,
          {
            accepted: plugin.contentTypes,
          },
        );
        return;
      }
      const declared = Number(req.get('content-length') ?? 0);
      if (declared > options.maxBytes) {
        refuse(
          413,
          `The body (${declared} bytes) is larger than this hub takes (HUB_INGEST_MAX_BYTES, ${options.maxBytes} bytes): split the export.`,
          { limit: options.maxBytes },
        );
        return;
      }

      const started = Date.now();
      let lastActivity = started;
      let applying = false;
      const controller = new AbortController();
      const limiter = new BodyLimitStream(options.maxBytes, () => {
        lastActivity = Date.now();
      });
      const stop = (reason: Error) => {
        if (controller.signal.aborted) return;
        controller.abort(reason);
        req.unpipe(limiter);
        limiter.destroy(reason);
      };
      // The plugin reads the limiter: a body over the limit, or a connection broken, ends the run.
      limiter.on('error', (error) => {
        // Otherwise it is the plugin that stopped reading (a malformed body): its report says so.
        if (error instanceof BodyTooLargeError) stop(error);
      });
      // A request stream fails only when its connection breaks (the client reset it).
      req.on('error', () => stop(new ClientGoneError()));
      res.on('close', () => {
        if (!res.writableFinished) stop(new ClientGoneError());
      });
      // The client's silence counts only while the run waits for it, not while a subgraph applies.
      const stallCheck = setInterval(
        () => {
          if (!req.complete && !applying && Date.now() - lastActivity > stallMs) {
            stop(new BodyStalledError(stallMs));
          }
        },
        Math.max(10, Math.min(stallMs / 4, 5000)),
      );
      const hub = new HubApplier({
        subgraphUrls: options.subgraphUrls,
        actorKey: options.actorKey,
        practitionerId: actor.id,
        meta,
        bodyLimit: options.bodyLimit,
        timeoutMs: options.applyTimeoutMs,
      });
      const applier: RecordApplier = {
        async apply(batch: readonly PendingRecord[]): Promise<ApplyOutcome[]> {
          applying = true;
          try {
            return await hub.apply(batch);
          } finally {
            applying = false;
            lastActivity = Date.now();
          }
        },
      };
      let received = 0;
      const facts = () => ({
        plugin: plugin.name,
        actor: actor.id,
        agencyId: actor.agencyId,
        bytes: limiter.bytes,
        ms: Date.now() - started,
      });

      req.pipe(limiter);
      const settled = await runIngest({
        plugin,
        body: limiter,
        contentType,
        applier,
        signal: controller.signal,
        onProgress: (progress) => {
          received = progress.received;
        },
      }).then(
        (report) => ({ report }),
        (error: unknown) => ({ error }),
      );
      clearInterval(stallCheck);
      req.unpipe(limiter);
      if ('report' in settled && !controller.signal.aborted) {
        const { report } = settled;
        log.info(
          {
            ...facts(),
            received: report.received,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            skipped: report.skipped,
            rejected: report.rejected.length,
          },
          'ingest run',
        );
        answer(req, res, 200, report);
        return;
      }
      // A plugin may report a body cut short by the limit as a problem and finish normally: the
      // reason the run was stopped is what the client is told.
      const error = controller.signal.aborted
        ? (controller.signal.reason as unknown)
        : (settled as { error: unknown }).error;
      const failure = failureOf(error, options.maxBytes, meta.correlationId);
      log[failure.level]({ ...facts(), received, ...failure.log }, failure.message);
      if (failure.answer) answer(req, res, failure.answer.status, failure.answer.body);
    },
  );

  router.all('/ingest/:plugin', (_req, res) => {
    res.status(405).set('Allow', 'POST').json({ error: 'POST the body to /ingest/{plugin}.' });
  });
  return router;
}
