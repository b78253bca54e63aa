import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACTOR_HEADER, verifyActor, type Actor, type RequestMeta } from '@hub/kit';
import type { CanonicalRecord } from '@hub/schema';
import express from 'express';

/** One `POST /internal/ingest/apply` a stand-in received. */
export interface ApplyCall {
  actor: Actor;
  meta: RequestMeta;
  practitionerId: string;
  records: { index: number; plugin: string; record: CanonicalRecord }[];
  /** The request body's size. */
  bytes: number;
}

/** What a stand-in does with a call: answer it, or leave it unanswered for ever. */
export type StandInAnswer = { status: number; body: unknown } | 'hang';

/**
 * A stand-in for a subgraph's `POST /internal/ingest/apply`, over real HTTP, checking the
 * gateway's signature and taking JSON up to `bodyLimit` as the kit's internal router does. The
 * real subgraphs are driven end to end in test/ingest.test.ts; this one can also fail on demand
 * (a 500, a hang, a 403 mid-run), which theirs cannot.
 */
export interface ApplyStandIn {
  /** Its GraphQL URL, as the gateway is given one. */
  url: string;
  calls: ApplyCall[];
  /** Decides each answer. @default every record `created` */
  answer: (call: ApplyCall) => StandInAnswer | Promise<StandInAnswer>;
  close(): Promise<void>;
}

export async function startApplyStandIn(
  actorKey: Uint8Array,
  bodyLimit = '100kb',
): Promise<ApplyStandIn> {
  const app = express();
  const server = createServer(app);
  const state: ApplyStandIn = {
    url: '',
    calls: [],
    answer: (call) => ({
      status: 200,
      body: { outcomes: call.records.map(() => ({ status: 'created' })) },
    }),
    close: async () => undefined,
  };
  app.post(
    '/internal/ingest/apply',
    async (req, res, next) => {
      try {
        res.locals.signed = await verifyActor(actorKey, req.get(ACTOR_HEADER));
        next();
      } catch {
        res.status(401).json({ error: 'unsigned' });
      }
    },
    express.json({ limit: bodyLimit }),
    async (req, res) => {
      const { actor, meta } = res.locals.signed as { actor: Actor; meta: RequestMeta };
      const call: ApplyCall = {
        actor,
        meta,
        practitionerId: req.body.integration.practitionerId,
        records: req.body.records,
        bytes: Number(req.get('content-length')),
      };
      state.calls.push(call);
      const answer = await state.answer(call);
      if (answer !== 'hang') res.status(answer.status).json(answer.body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
