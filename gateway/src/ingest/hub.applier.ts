import {
  ACTOR_HEADER,
  CORRELATION_HEADER,
  MAX_INGEST_BATCH,
  signActor,
  type RequestMeta,
} from '@hub/kit';
import type { ApplyOutcome, PendingRecord, RecordApplier } from '@hub/plugin-sdk';
import type { CanonicalRecord } from '@hub/schema';
import { z } from 'zod';
import { GATEWAY_SERVICE_ACTOR } from '../auth/load-actor.js';
import { subgraphBaseUrl, type SubgraphUrls } from '../subgraph-url.js';

/** The subgraphs that apply canonical records, in the order a batch visits them. */
type ApplyingSubgraph = 'cases' | 'escalations';

/**
 * Which subgraph owns each kind of canonical record. Cases come first, so a disagreement may
 * follow its case in the same batch.
 */
const OWNER: Record<CanonicalRecord['kind'], ApplyingSubgraph> = {
  child: 'cases',
  case: 'cases',
  disagreement: 'escalations',
  'escalation-record': 'escalations',
};

/** Room left in each request for the envelope (`{"integration":…,"records":[…]}`). */
const ENVELOPE_BYTES = 1024;

/** How long one apply call may take before the run gives up on it. @default 60 s */
export const DEFAULT_APPLY_TIMEOUT_MS = 60_000;

const outcomeSchema = z.union([
  z.object({ status: z.enum(['created', 'updated', 'unchanged']) }),
  z.object({ status: z.literal('rejected'), field: z.string(), message: z.string() }),
]);
const applyResponseSchema = z.object({ outcomes: z.array(outcomeSchema) });

/**
 * A subgraph did not apply a batch: `status` is what the ingest endpoint answers. 403: the
 * subgraph refused the integration account (deactivated, or no longer INTEGRATION since the
 * gateway loaded it); 502: it failed or answered nonsense; 503: it could not be reached or did
 * not answer in time; 500: the gateway sent something the subgraph could not take (a hub bug).
 * `message` is for the client; `detail` only for the log.
 */
export class SubgraphApplyError extends Error {
  constructor(
    readonly status: 403 | 500 | 502 | 503,
    readonly subgraph: ApplyingSubgraph,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'SubgraphApplyError';
  }
}

/** The largest request body `limit` (HUB_BODY_LIMIT: `100kb`, `1mb`) allows, as body-parser reads it. */
export function bodyLimitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit.trim());
  if (!match) throw new Error(`not a body limit: ${limit} (expected e.g. 100kb or 1mb)`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}

export interface HubApplierOptions {
  /** Each subgraph's GraphQL URL; `/internal/ingest/apply` sits beside it. */
  subgraphUrls: Pick<SubgraphUrls, ApplyingSubgraph>;
  /** Signs the gateway's service actor (the hub's internal secret). */
  actorKey: Uint8Array;
  /** The INTEGRATION practitioner whose token the gateway accepted; each subgraph checks it again. */
  practitionerId: string;
  /** The ingest request's correlation id and client address, for the subgraphs' logs and audit. */
  meta: RequestMeta;
  /**
   * The subgraphs' largest request body (HUB_BODY_LIMIT, which every hub process shares): a call
   * carries as many records as fit under it, and at most the kit's MAX_INGEST_BATCH.
   */
  bodyLimit: string;
  /** @default 60000 */
  timeoutMs?: number;
}

/** One record of a batch on its way to a subgraph: its place in the batch and its JSON. */
interface Outgoing {
  at: number;
  json: string;
}

/**
 * The hub's {@link RecordApplier}: hands each batch of the runner's canonical records to the
 * subgraphs that own them (`POST /internal/ingest/apply`, signed as the gateway), the cases
 * subgraph's part first and then the escalations subgraph's, and answers their outcomes in the
 * batch's order.
 *
 * A batch may take several calls (each within the subgraphs' body limit and batch size), and
 * each call is its own transaction, so a failure part-way leaves the calls before it applied.
 * That is safe: every record is applied idempotently by (plugin, source id, source version), so
 * sending the same body again applies what is missing and reports the rest `unchanged`.
 *
 * A source record whose `case` the cases subgraph rejected does not send its `disagreement` to
 * the escalations subgraph: it is reported rejected with the case's reason, so a source record
 * is not half-applied across the two subgraphs by a refusal.
 *
 * @throws {SubgraphApplyError} when a subgraph refuses the account or cannot apply a batch.
 */
export class HubApplier implements RecordApplier {
  readonly #options: HubApplierOptions;
  readonly #maxBytes: number;

  constructor(options: HubApplierOptions) {
    this.#options = options;
    this.#maxBytes = bodyLimitBytes(options.bodyLimit) - ENVELOPE_BYTES;
  }

  async apply(batch: readonly PendingRecord[]): Promise<ApplyOutcome[]> {
    const outcomes: ApplyOutcome[] = new Array(batch.length);
    const rejectedSources = new Map<number, ApplyOutcome>();
    for (const subgraph of ['cases', 'escalations'] as const) {
      const part: Outgoing[] = [];
      for (const [at, pending] of batch.entries()) {
        if (OWNER[pending.record.kind] !== subgraph) continue;
        const earlier = rejectedSources.get(pending.index);
        if (earlier) {
          outcomes[at] = earlier;
          continue;
        }
        const json = JSON.stringify({
          index: pending.index,
          plugin: pending.plugin,
          record: pending.record,
        });
        if (Buffer.byteLength(json) > this.#maxBytes) {
          // No call could carry it; the canonical schema's text limits make this rare.
          outcomes[at] = {
            status: 'rejected',
            field: 'record',
            message: `the record is larger than one request to the hub may be (HUB_BODY_LIMIT ${this.#options.bodyLimit})`,
          };
          continue;
        }
        part.push({ at, json });
      }
      for (const call of this.#calls(part)) {
        const answered = await this.#post(subgraph, call);
        for (const [position, { at }] of call.entries()) {
          outcomes[at] = answered[position]!;
          if (answered[position]!.status === 'rejected') {
            rejectedSources.set(batch[at]!.index, answered[position]!);
          }
        }
      }
    }
    return outcomes;
  }

  /** Splits a subgraph's part into calls that fit its body limit and batch size, in order. */
  *#calls(part: Outgoing[]): Generator<Outgoing[]> {
    let call: Outgoing[] = [];
    let bytes = 0;
    for (const item of part) {
      const size = Buffer.byteLength(item.json) + 1;
      if (call.length > 0 && (call.length >= MAX_INGEST_BATCH || bytes + size > this.#maxBytes)) {
        yield call;
        call = [];
        bytes = 0;
      }
      call.push(item);
      bytes += size;
    }
    if (call.length > 0) yield call;
  }

  async #post(subgraph: ApplyingSubgraph, call: Outgoing[]): Promise<ApplyOutcome[]> {
    const { meta, actorKey } = this.#options;
    const url = `${subgraphBaseUrl(this.#options.subgraphUrls[subgraph])}/internal/ingest/apply`;
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_APPLY_TIMEOUT_MS;
    // The records are serialized once, as they were measured.
    const body = `{"integration":${JSON.stringify({ practitionerId: this.#options.practitionerId })},"records":[${call.map((item) => item.json).join(',')}]}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          [ACTOR_HEADER]: await signActor(actorKey, GATEWAY_SERVICE_ACTOR, meta),
          [CORRELATION_HEADER]: meta.correlationId,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new SubgraphApplyError(
        503,
        subgraph,
        timedOut
          ? `the ${subgraph} subgraph did not answer within ${timeoutMs / 1000} s`
          : `the ${subgraph} subgraph could not be reached`,
        String((error as Error).cause ?? error),
      );
    }
    const text = await response.text().catch(() => '');
    if (response.status === 403) {
      throw new SubgraphApplyError(
        403,
        subgraph,
        errorOf(text) ?? 'the integration account may not ingest',
      );
    }
    if (response.status >= 500) {
      throw new SubgraphApplyError(
        502,
        subgraph,
        `the ${subgraph} subgraph failed to apply a batch (HTTP ${response.status})`,
        text.slice(0, 500),
      );
    }
    if (!response.ok) {
      throw new SubgraphApplyError(
        500,
        subgraph,
        `the ${subgraph} subgraph could not take the gateway's batch (HTTP ${response.status})`,
        text.slice(0, 500),
      );
    }
    const parsed = applyResponseSchema.safeParse(parseJson(text));
    if (!parsed.success || parsed.data.outcomes.length !== call.length) {
      throw new SubgraphApplyError(
        502,
        subgraph,
        `the ${subgraph} subgraph answered a batch of ${call.length} records with something other than ${call.length} outcomes`,
        text.slice(0, 500),
      );
    }
    return parsed.data.outcomes;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `error` of a subgraph's JSON refusal, if it has one. */
function errorOf(text: string): string | undefined {
  const body = parseJson(text) as { error?: unknown } | undefined;
  return typeof body?.error === 'string' && body.error.trim() !== '' ? body.error : undefined;
}
