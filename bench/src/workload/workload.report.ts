import type { LoadResult } from './load.runner.js';
import type { ProcessUsage } from './process.sampler.js';

/** What serves the operations: the hub's gateway, Hive Gateway, or the subgraphs straight. */
export type TargetName = 'ours' | 'hive' | 'direct';

export const TARGET_NAMES: readonly TargetName[] = ['ours', 'hive', 'direct'];

export const TARGET_TITLES: Record<TargetName, string> = {
  ours: 'hub gateway',
  hive: 'Hive Gateway',
  direct: 'subgraphs direct',
};

/**
 * The order the targets are measured in on run `run` (from 1): each run starts one further
 * along, so that no target is always the first measured. The first measurement after the
 * processes start runs on cold caches (PostgreSQL's buffers, V8's compiled code) and was often
 * the slowest of its set: always first, the hub's gateway carried that alone into its ratios.
 */
export function turnOrder<T>(targets: readonly T[], run: number): T[] {
  const from = (run - 1) % Math.max(targets.length, 1);
  return [...targets.slice(from), ...targets.slice(0, from)];
}

/** One measured run of one operation against one target. */
export interface TargetRun {
  load: Omit<LoadResult, 'firstError'>;
  usage: ProcessUsage[];
}

/** The median of some numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The direct figure of an operation whose query plan makes several subgraph requests, each
 * measured on its own (`times` = how often the plan sends it): the operation takes the sum of
 * their times, so its rate is 1 / Σ(times / rate) and its latencies the sums of theirs (an
 * approximation: percentiles do not add exactly, and the plan sends some requests in
 * parallel, which this adds up). CPU is weighted by the share of time each request takes;
 * peak RSS is the largest.
 */
export function combineCalls(parts: readonly { times: number; run: TargetRun }[]): TargetRun {
  const cost = parts.map(({ times, run }) => times / run.load.requestsPerSecond);
  const total = cost.reduce((sum, c) => sum + c, 0);
  // A request that never got an answer in its run takes "for ever": weigh the CPU evenly then.
  const weight = (i: number) => (Number.isFinite(total) ? cost[i]! / total : 1 / parts.length);
  const sum = (pick: (run: TargetRun) => number) =>
    parts.reduce((acc, { times, run }) => acc + times * pick(run), 0);
  const names = parts[0]?.run.usage.map((u) => u.name) ?? [];
  return {
    load: {
      requests: Math.min(...parts.map(({ times, run }) => Math.floor(run.load.requests / times))),
      seconds: parts.reduce((acc, { run }) => acc + run.load.seconds, 0),
      requestsPerSecond: Number.isFinite(total) ? 1 / total : 0,
      p50: sum((run) => run.load.p50),
      p95: sum((run) => run.load.p95),
      p99: sum((run) => run.load.p99),
      errors: parts.reduce((acc, { run }) => acc + run.load.errors, 0),
    },
    usage: names.map((name) => ({
      name,
      cpuPercent: parts.reduce(
        (acc, { run }, i) =>
          acc + weight(i) * (run.usage.find((u) => u.name === name)?.cpuPercent ?? 0),
        0,
      ),
      peakRssMiB: Math.max(
        ...parts.map(({ run }) => run.usage.find((u) => u.name === name)?.peakRssMiB ?? 0),
      ),
    })),
  };
}

/** The figures of one target over several runs: medians; peak RSS the largest; errors summed. */
export interface TargetSummary {
  target: TargetName;
  runs: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  usage: ProcessUsage[];
  /**
   * CPU time the serving processes (all but the load generator) spent per request, ms: less
   * sensitive than req/s to a machine whose other work leaves the processes waiting for a core.
   */
  cpuMsPerRequest: number;
  /** Medians of the per-run ratios to the hub gateway's figure of the same run. */
  vsOurs: { requestsPerSecond: number; p50: number } | null;
}

/** The load generator's own process, left out of the serving processes' CPU per request. */
export const LOAD_GENERATOR = 'load generator';

function cpuMsPerRequest(run: TargetRun): number {
  const serving = run.usage.filter((u) => u.name !== LOAD_GENERATOR);
  const percent = serving.reduce((sum, u) => sum + u.cpuPercent, 0);
  // % of a core is 10 ms of CPU per second; per request, divided by requests per second.
  return run.load.requestsPerSecond > 0 ? (percent * 10) / run.load.requestsPerSecond : NaN;
}

export function summarise(
  target: TargetName,
  runs: readonly TargetRun[],
  ours: readonly TargetRun[] | undefined,
): TargetSummary {
  const names = runs[0]?.usage.map((u) => u.name) ?? [];
  const paired = ours && target !== 'ours' ? runs.map((run, i) => [run, ours[i]] as const) : [];
  const complete = paired.filter((pair): pair is readonly [TargetRun, TargetRun] => !!pair[1]);
  return {
    target,
    runs: runs.length,
    requestsPerSecond: median(runs.map((r) => r.load.requestsPerSecond)),
    p50: median(runs.map((r) => r.load.p50)),
    p95: median(runs.map((r) => r.load.p95)),
    p99: median(runs.map((r) => r.load.p99)),
    errors: runs.reduce((sum, r) => sum + r.load.errors, 0),
    cpuMsPerRequest: median(runs.map(cpuMsPerRequest)),
    usage: names.map((name) => {
      const of = runs.map((r) => r.usage.find((u) => u.name === name)!);
      return {
        name,
        cpuPercent: median(of.map((u) => u.cpuPercent)),
        peakRssMiB: Math.max(...of.map((u) => u.peakRssMiB)),
      };
    }),
    vsOurs:
      complete.length > 0
        ? {
            requestsPerSecond: median(
              complete.map(
                ([run, base]) => run.load.requestsPerSecond / base.load.requestsPerSecond,
              ),
            ),
            p50: median(complete.map(([run, base]) => run.load.p50 / base.load.p50)),
          }
        : null,
  };
}

const fixed = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-GB', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : '–';

const latency = (ms: number) => fixed(ms, ms < 10 ? 1 : 0);

/** One Markdown table: a row per target, with each process's CPU and peak RSS. */
export function markdownTable(summaries: readonly TargetSummary[]): string {
  const rows = [
    '| target | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms per request | CPU % (of one core) | peak RSS MiB | req/s ÷ ours | p50 ÷ ours |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |',
  ];
  for (const s of summaries) {
    const cpu = s.usage.map((u) => `${u.name} ${fixed(u.cpuPercent)}`).join(', ');
    const rss = s.usage.map((u) => `${u.name} ${fixed(u.peakRssMiB)}`).join(', ');
    rows.push(
      `| ${TARGET_TITLES[s.target]} | ${fixed(s.requestsPerSecond)} | ${latency(s.p50)} | ${latency(s.p95)} | ${latency(s.p99)} | ${s.errors} | ${fixed(s.cpuMsPerRequest, 1)} | ${cpu} | ${rss} | ${s.vsOurs ? fixed(s.vsOurs.requestsPerSecond, 2) : '–'} | ${s.vsOurs ? fixed(s.vsOurs.p50, 2) : '–'} |`,
    );
  }
  return rows.join('\n');
}
