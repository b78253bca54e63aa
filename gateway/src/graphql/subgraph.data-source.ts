import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ACTOR_HEADER, CORRELATION_HEADER, signActor, withInputField } from '@hub/kit';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Agent } from 'undici';
import type { GatewayContext } from '../context.js';
import { batchingFetcher } from './batching-fetcher.js';
import { answerEveryRepresentation, distinctRepresentations } from './representations.js';
import { subgraphFetcher } from './subgraph-fetcher.js';

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

/**
 * How long one signed actor header serves a client request's fetches: it is valid for two
 * minutes, so a fetch sent with one this old still has 90 seconds, and a slow operation's later
 * fetches get a fresh one.
 */
const SIGNATURE_REUSE_MS = 30_000;

/** Each client request's current signed actor header, shared by its fetches to every subgraph. */
const signatures = new WeakMap<GatewayContext, { at: number; header: Promise<string> }>();

/**
 * One subgraph as the gateway reaches it: every fetch carries the request's actor, signed with
 * the hub's internal secret, and its correlation id. The client's own headers (its token above
 * all) never reach a subgraph.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly actorKey: Uint8Array,
    agent: Agent,
  ) {
    super({ url, fetcher: batchingFetcher(subgraphFetcher(agent)) });
  }

  /**
   * An entity fetch sends each distinct representation once, and its answer is spread back over
   * the repeats before Apollo Gateway sees it (representations.ts).
   */
  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): ReturnType<RemoteGraphQLDataSource['process']> {
    const variables = options.request.variables;
    const representations: unknown = variables?.representations;
    const repeats = Array.isArray(representations)
      ? distinctRepresentations(representations)
      : null;
    if (!repeats) return super.process(options);
    const response = await super.process({
      ...options,
      request: {
        ...options.request,
        variables: { ...variables, representations: repeats.distinct },
      },
    });
    return answerEveryRepresentation(response, repeats);
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    // Only client operations have an actor; with a static supergraph nothing else is sent.
    if (!('incomingRequestContext' in options)) return;
    const { actor, meta } = options.context;
    // One header for the fetches a request makes together, so they can go as one batch
    // (batching-fetcher.ts) and are signed once; renewed before it could expire in flight.
    let signed = signatures.get(options.context);
    if (!signed || Date.now() - signed.at > SIGNATURE_REUSE_MS) {
      signed = { at: Date.now(), header: signActor(this.actorKey, actor, meta) };
      signatures.set(options.context, signed);
    }
    options.request.http?.headers.set(ACTOR_HEADER, await signed.header);
    options.request.http?.headers.set(CORRELATION_HEADER, meta.correlationId);
  }

  /**
   * A non-2xx answer means the gateway and the subgraph disagree (a refused signature, a crash),
   * not that the client did wrong. The default turns 401/403 into UNAUTHENTICATED/FORBIDDEN and
   * attaches the subgraph's URL and body; this error has no client code, so it is masked.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body = await response.text().catch(() => '');
    // A subgraph answers 400 when the client's variables fail its own scalars' checks (a
    // LocalDate the gateway cannot judge, say): that error is the client's, and passes through.
    const clientError = response.status === 400 ? badUserInput(body) : null;
    if (clientError) return clientError;
    return new GraphQLError(
      `Subgraph ${this.name} answered HTTP ${response.status} ${response.statusText}`,
      { extensions: { subgraphStatus: response.status, subgraphBody: body.slice(0, 2000) } },
    );
  }
}

function badUserInput(body: string): GraphQLError | null {
  try {
    const parsed = JSON.parse(body) as { errors?: GraphQLFormattedError[] };
    const first = parsed.errors?.[0];
    if (first?.extensions?.code !== 'BAD_USER_INPUT') return null;
    return new GraphQLError(first.message, { extensions: withInputField(first).extensions });
  } catch {
    return null;
  }
}
