/**
 * Hive Gateway's configuration for the workload benchmark (`hive-gateway supergraph
 * schema/supergraph.graphql -c bench/dist/workload/hive-gateway.config.js`), run by
 * hive.gateway.ts. It serves the committed supergraph against the running subgraphs and signs
 * the hub's actor header per subgraph fetch, as the hub's gateway does. It does not verify the
 * bearer token or load the actor from the directory: it reads the token's subject unverified
 * and takes the actor loaded once before the run (HUB_BENCH_ACTORS). That work is part of the
 * hub gateway's cost and not of this one's; bench/README.md says so beside the figures.
 *
 * Only node:crypto is loaded here: importing the kit would bring MikroORM into the process
 * whose memory is measured.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '@hub/kit';
import { actorHeaderSigner, unverifiedSubject } from './actor.signer.js';
import { HIVE_ENV } from './hive-gateway.env.js';

/** The hub gateway keeps a client's correlation id only when it is this sane; so does this. */
const SANE_CORRELATION_ID = /^[A-Za-z0-9._-]{1,100}$/;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: hive.gateway.ts sets it`);
  return value;
}

const subgraphUrls = JSON.parse(required(HIVE_ENV.subgraphUrls)) as Record<string, string>;
const actors = JSON.parse(required(HIVE_ENV.actors)) as Record<string, Actor>;
const sign = actorHeaderSigner(required(HIVE_ENV.internalSecret));

interface ClientRequestPayload {
  request: Request;
}

export const gatewayConfig = {
  transportEntries: Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, location]) => [name, { location }]),
  ),
  propagateHeaders: {
    /**
     * Headers go into Hive's in-flight de-duplication key, so a request's own signed actor
     * (carrying its correlation id) keeps two clients' identical operations apart, as it does
     * for the hub.
     */
    fromClientToSubgraphs({ request }: ClientRequestPayload): Record<string, string> {
      const given = request.headers.get('x-correlation-id');
      const correlationId = given && SANE_CORRELATION_ID.test(given) ? given : randomUUID();
      const subject = unverifiedSubject(request.headers.get('authorization'));
      const actor = subject ? actors[subject] : undefined;
      // Without an actor the subgraph answers 401, which the run counts as an error.
      if (!actor) return { 'x-correlation-id': correlationId };
      return { 'x-hub-actor': sign(actor, correlationId), 'x-correlation-id': correlationId };
    },
  },
};
