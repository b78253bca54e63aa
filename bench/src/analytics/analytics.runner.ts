import { percentile } from '../workload/load.runner.js';
import type { StatsFilter, VariantCandidates, VariantName } from './analytics.subjects.js';

/** Everything an analyst's dashboard shows: every breakdown, rates and the median. */
export const STATS_QUERY = /* GraphQL */ `
  query EscalationStats($filter: StatsFilter!) {
    escalationStats(filter: $filter) {
      total
      byCategory {
        key
        count
        suppressed
      }
      byHighestStage {
        key
        count
        suppressed
      }
      byRaisingAgencyKind {
        key
        count
        suppressed
      }
      byRespondingAgencyKind {
        key
        count
        suppressed
      }
      agencyPairs {
        raising
        responding
        count
        suppressed
      }
      byMonth {
        key
        count
        suppressed
      }
      byTheme {
        key
        count
        suppressed
      }
      byResolutionPanel {
        key
        count
        suppressed
      }
      stagesWithinTimescaleRate
      medianWorkingDaysToOutcome
      disclosureThreshold
    }
  }
`;

/** The request body of escalationStats with a filter. */
export const statsBody = (filter: StatsFilter): string =>
  JSON.stringify({ query: STATS_QUERY, variables: { filter } });

interface GraphQLError {
  message: string;
  extensions?: { code?: string; reason?: string; field?: string };
}

interface StatsAnswer {
  data?: { escalationStats?: { total: number } | null } | null;
  errors?: GraphQLError[];
}

/** An answer that is not figures: HTTP status, GraphQL errors, or no escalationStats. */
export class StatsAnswerError extends Error {
  constructor(
    message: string,
    readonly errors: GraphQLError[] = [],
  ) {
    super(message);
  }

  /** True when disclosure control refused the filter (FORBIDDEN, reason DISCLOSURE_CONTROL). */
  get disclosureRefusal(): boolean {
    return this.errors.some((e) => e.extensions?.reason === 'DISCLOSURE_CONTROL');
  }
}

/** Where and as whom escalationStats is asked. */
export interface StatsTarget {
  url: string;
  token: string;
}

/**
 * Sends escalationStats once and checks the answer: HTTP 200, no `errors`, figures with a
 * total. Resolves with the total and the time from sending to the whole body read, in ms.
 */
export async function askStats(
  target: StatsTarget,
  body: string,
  correlationId: string,
): Promise<{ total: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${target.token}`,
      'x-correlation-id': correlationId,
    },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  const elapsed = performance.now() - started;
  let answer: StatsAnswer;
  try {
    answer = JSON.parse(text) as StatsAnswer;
  } catch {
    throw new StatsAnswerError(`HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (answer.errors?.length) {
    throw new StatsAnswerError(
      `escalationStats answered errors: ${JSON.stringify(answer.errors).slice(0, 500)}`,
      answer.errors,
    );
  }
  const total = answer.data?.escalationStats?.total;
  if (response.status !== 200 || typeof total !== 'number') {
    throw new StatsAnswerError(`HTTP ${response.status}, no figures: ${text.slice(0, 300)}`);
  }
  return { total, ms: elapsed };
}

/** A variant with the filter chosen for it. */
export interface ChosenVariant {
  name: VariantName;
  filter: StatsFilter;
  /** The read model's rows the filter matches (by SQL). */
  rows: number;
  /** The total the hub answered. */
  total: number;
  /** Candidates refused by disclosure control before this one. */
  refused: number;
}

/**
 * Takes each variant's first candidate filter the hub answers; candidates refused by disclosure
 * control are passed over, any other error fails. A variant none of whose candidates answers
 * is left out (listed in `skipped`), except the board only, which must answer.
 */
export async function chooseVariants(
  target: StatsTarget,
  variants: readonly VariantCandidates[],
  noncePrefix: string,
): Promise<{ chosen: ChosenVariant[]; skipped: VariantName[] }> {
  const chosen: ChosenVariant[] = [];
  const skipped: VariantName[] = [];
  let n = 0;
  for (const variant of variants) {
    let refused = 0;
    let found: ChosenVariant | null = null;
    for (const candidate of variant.candidates) {
      n += 1;
      try {
        const { total } = await askStats(
          target,
          statsBody(candidate.filter),
          `${noncePrefix}-${n}`,
        );
        found = { name: variant.name, ...candidate, total, refused };
        break;
      } catch (error) {
        if (!(error instanceof StatsAnswerError) || !error.disclosureRefusal) throw error;
        refused += 1;
      }
    }
    if (found) chosen.push(found);
    else if (variant.name === 'board') {
      throw new Error("escalationStats refused the board-only filter (the board's figures)");
    } else skipped.push(variant.name);
  }
  return { chosen, skipped };
}

export interface SequentialResult {
  requests: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
  /** Every request's latency, ms, in the order sent. */
  latencies: number[];
}

/**
 * One client asking again and again, each request sent when the last is answered: `warmup`
 * requests not counted, then `requests` measured. Every answer is checked (no errors, figures
 * with `expectedTotal` when given); the first that fails rejects the run, so a benchmark of
 * refusals cannot happen.
 */
export async function runSequential(
  target: StatsTarget,
  filter: StatsFilter,
  options: {
    requests: number;
    warmup: number;
    noncePrefix: string;
    expectedTotal?: number;
    /** Run before each measured request, and not timed (e.g. an event for the board). */
    before?: (label: string) => Promise<void>;
  },
): Promise<SequentialResult> {
  const body = statsBody(filter);
  const ask = async (label: string) => {
    const answer = await askStats(target, body, label);
    if (options.expectedTotal !== undefined && answer.total !== options.expectedTotal) {
      throw new StatsAnswerError(
        `escalationStats answered total ${answer.total}, not ${options.expectedTotal}`,
      );
    }
    return answer.ms;
  };
  for (let i = 1; i <= options.warmup; i += 1) await ask(`${options.noncePrefix}-w${i}`);
  const latencies: number[] = [];
  const started = performance.now();
  let untimed = 0;
  for (let i = 1; i <= options.requests; i += 1) {
    if (options.before) {
      const from = performance.now();
      await options.before(`${options.noncePrefix}-${i}-before`);
      untimed += performance.now() - from;
    }
    latencies.push(await ask(`${options.noncePrefix}-${i}`));
  }
  const seconds = (performance.now() - started - untimed) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, latencies.length),
    max: sorted.at(-1) ?? 0,
    latencies,
  };
}
