import { randomBytes } from 'node:crypto';
import { mintToken } from '@hub/gateway';
import {
  missingDataset,
  startEmbedded,
  startFive,
  type RunningTopology,
} from '../workload/hub.topology.js';
import { runLoad, type LoadResult } from '../workload/load.runner.js';
import { ProcessSampler, type ProcessUsage } from '../workload/process.sampler.js';
import { appendResults } from '../workload/results.file.js';
import { logTail } from '../workload/service.process.js';
import { datasetTargets, loadText, settle } from '../workload/workload.command.js';
import { LOAD_GENERATOR } from '../workload/workload.report.js';
import { BoardEvents } from './analytics.events.js';
import {
  chooseVariants,
  runSequential,
  statsBody,
  type ChosenVariant,
  type SequentialResult,
} from './analytics.runner.js';
import {
  pickAnalyticsSubjects,
  VARIANT_NAMES,
  VARIANT_TITLES,
  type VariantName,
} from './analytics.subjects.js';
import {
  BenchUsageError,
  describeDataset,
  hubOptions,
  list,
  ms,
  provenanceLines,
  readOptions,
  resultsOption,
  wholeNumber,
  type HubOptions,
} from './bench.options.js';

export const ANALYTICS_USAGE = `usage: bench analytics (--dataset-dir <dir> | --database-url <url>) [--topology embedded|five]
         [--requests 200] [--warmup 20] [--connections 10] [--duration 10]
         [--variants board,twelve-months,category-kind,combined] [--nats-url nats://127.0.0.1:4222]
         [--after-event --i-know-it-writes] [--results bench/RESULTS.md | --no-results]
  --dataset-dir   a dataset's SQLite directory (bench dataset --target sqlite --data-dir)
  --database-url  a dataset's PostgreSQL database (bench dataset --target postgres)
  --topology      embedded: \`hub start\`, one process (default); five: \`hub serve\` x5 on
                  PostgreSQL and NATS (needs --database-url)
  --requests      escalationStats requests measured per filter, one client, one after another
                  (default 200)
  --warmup        requests sent first per filter and not counted (default 20)
  --connections   concurrent clients for the second measurement (default 10)
  --duration      seconds of that measurement per filter; 0 skips it (default 10)
  --variants      which filters (default all; a filter disclosure control refuses is skipped)
  --after-event   each measured request is the first after an event for its board: a board
                  manager tags one of its escalations first, and the request goes once learning
                  has applied it (no concurrent part). It writes to the dataset (themes, audit,
                  events): give --i-know-it-writes, on a copy (createdb -T bench_l bench_l_events)
  --results       the file the results are appended to (default bench/RESULTS.md)`;

export interface AnalyticsArgs extends HubOptions {
  requests: number;
  warmup: number;
  connections: number;
  durationSeconds: number;
  variants: VariantName[];
  resultsFile: string | null;
  afterEvent: boolean;
}

/** Parses `analytics`'s arguments, naming the option at fault. */
export function parseAnalyticsArgs(args: string[], cwd = process.cwd()): AnalyticsArgs {
  const options = readOptions(
    args,
    [
      '--dataset-dir',
      '--database-url',
      '--topology',
      '--nats-url',
      '--requests',
      '--warmup',
      '--connections',
      '--duration',
      '--variants',
      '--results',
    ],
    ['--no-results', '--after-event', '--i-know-it-writes'],
  );
  const { values } = options;
  const afterEvent = options.flags.has('--after-event');
  if (afterEvent !== options.flags.has('--i-know-it-writes'))
    throw new BenchUsageError(
      afterEvent
        ? '--after-event writes to the dataset (a tag per request): give --i-know-it-writes, on a copy of the dataset'
        : '--i-know-it-writes goes with --after-event',
    );
  return {
    ...hubOptions(options, cwd),
    requests: wholeNumber('--requests', values.get('--requests') ?? '200', 1, 100_000),
    warmup: wholeNumber('--warmup', values.get('--warmup') ?? '20', 0, 10_000),
    connections: wholeNumber('--connections', values.get('--connections') ?? '10', 1, 1000),
    durationSeconds: wholeNumber('--duration', values.get('--duration') ?? '10', 0, 3600),
    variants: list(
      '--variants',
      values.get('--variants') ?? VARIANT_NAMES.join(','),
      VARIANT_NAMES,
    ),
    resultsFile: resultsOption(options, cwd),
    afterEvent,
  };
}

/** The issue's target: escalationStats at L on PostgreSQL, p95 under 300 ms. */
const TARGET_P95_MS = 300;

interface Measured {
  variant: ChosenVariant;
  sequential: SequentialResult;
  sequentialUsage: ProcessUsage[];
  concurrent: (Omit<LoadResult, 'firstError'> & { usage: ProcessUsage[] }) | null;
  firstError: string | null;
}

const describeFilter = (variant: ChosenVariant) => {
  const { boardId: _board, ...rest } = variant.filter;
  const parts = Object.entries(rest).map(
    ([name, value]) => `${name} ${Array.isArray(value) ? value.join('+') : String(value)}`,
  );
  return parts.length ? parts.join(', ') : 'board only';
};

const usageCells = (usage: readonly ProcessUsage[]) =>
  usage.flatMap((u) => [
    Number.isFinite(u.cpuPercent) ? u.cpuPercent.toFixed(0) : '–',
    Number.isFinite(u.peakRssMiB) ? u.peakRssMiB.toFixed(0) : '–',
  ]);

const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;

/** The report's two tables: latencies per filter, and the processes' CPU and memory. */
export function analyticsTables(measured: readonly Measured[], connections: number): string {
  const latency = [
    row([
      'filter',
      'escalations',
      '1 client: p50 ms',
      'p95',
      'p99',
      'mean',
      `${connections} clients: req/s`,
      'p50 ms',
      'p95',
      'p99',
      'errors',
    ]),
    row(Array.from({ length: 11 }, (_, i) => (i < 1 ? '---' : '---:'))),
    ...measured.map(({ variant, sequential: s, concurrent: c }) =>
      row([
        `${VARIANT_TITLES[variant.name]} (${describeFilter(variant)})`,
        variant.total.toLocaleString('en-GB'),
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        ms(s.mean),
        c ? c.requestsPerSecond.toFixed(1) : '–',
        c ? ms(c.p50) : '–',
        c ? ms(c.p95) : '–',
        c ? ms(c.p99) : '–',
        c ? c.errors : '–',
      ]),
    ),
  ];
  const names = measured[0]?.sequentialUsage.map((u) => u.name) ?? [];
  const usage = [
    row(['filter', 'clients', ...names.flatMap((name) => [`${name} CPU %`, 'peak RSS MiB'])]),
    row(['---', '---:', ...names.flatMap(() => ['---:', '---:'])]),
    ...measured.flatMap(({ variant, sequentialUsage, concurrent }) => [
      row([VARIANT_TITLES[variant.name], 1, ...usageCells(sequentialUsage)]),
      ...(concurrent
        ? [row([VARIANT_TITLES[variant.name], connections, ...usageCells(concurrent.usage)])]
        : []),
    ]),
  ];
  return [latency.join('\n'), '', usage.join('\n')].join('\n');
}

/** `bench analytics …`: measures escalationStats through the gateway; resolves with the exit code. */
export async function analyticsCommand(argv: string[]): Promise<number> {
  let args: AnalyticsArgs;
  try {
    args = parseAnalyticsArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench analytics: ${error.message}\n${ANALYTICS_USAGE}`);
    return 2;
  }
  const missing = missingDataset('analytics', args.data);
  if (missing) {
    console.error(missing);
    return 2;
  }
  const startedAt = new Date();
  const loadBefore = loadText();
  const targets = datasetTargets(args.data);
  const datasetText = await describeDataset(targets);
  const subjects = await pickAnalyticsSubjects(targets);
  subjects.variants = subjects.variants.filter((v) => args.variants.includes(v.name));
  console.log(
    `dataset ${datasetText}; board ${subjects.boardId} (${subjects.escalations} escalations), ${subjects.analystRole} ${subjects.analystId}`,
  );

  const topology: RunningTopology =
    args.topology === 'embedded'
      ? await startEmbedded(args.data)
      : await startFive((args.data as { url: string }).url, args.natsUrl);
  console.log(`hub (${args.topology}) at ${topology.gatewayUrl}; logs in ${topology.workDir}`);
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`bench analytics: ${signal}: stopping the servers it started`);
    void topology.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let events: BoardEvents | null = null;
  try {
    const processes = [
      ...topology.processes.map(({ name, pid }) => ({ name, pid })),
      { name: LOAD_GENERATOR, pid: process.pid },
    ];
    const target = {
      url: topology.gatewayUrl,
      token: await mintToken(topology.key, { subject: subjects.analystId }),
    };
    const run = randomBytes(3).toString('hex');
    if (args.afterEvent) {
      if (!subjects.managerId)
        throw new Error(`board ${subjects.boardId} has no active BOARD_MANAGER to tag with`);
      events = await BoardEvents.open(
        targets.learning,
        {
          url: topology.gatewayUrl,
          token: await mintToken(topology.key, { subject: subjects.managerId }),
        },
        subjects.boardId,
        subjects.escalationIds,
      );
    }
    const { chosen, skipped } = await chooseVariants(target, subjects.variants, `an-${run}-probe`);
    for (const variant of chosen) {
      console.log(
        `${variant.name}: ${describeFilter(variant)}: total ${variant.total}${variant.refused ? ` (${variant.refused} narrower filters refused by disclosure control first)` : ''}`,
      );
    }
    for (const name of skipped) {
      console.log(`${name}: skipped, disclosure control refused every candidate filter`);
    }
    await settle(processes);

    const measured: Measured[] = [];
    for (const variant of chosen) {
      const prefix = `an-${run}-${variant.name}`;
      if (args.warmup > 0) {
        await runSequential(target, variant.filter, {
          requests: args.warmup,
          warmup: 0,
          noncePrefix: `${prefix}-w`,
          expectedTotal: variant.total,
        });
      }
      let sampler = new ProcessSampler(processes);
      sampler.begin();
      const tagger = events;
      const sequential = await runSequential(target, variant.filter, {
        requests: args.requests,
        warmup: 0,
        noncePrefix: `${prefix}-s`,
        expectedTotal: variant.total,
        before: tagger ? (label) => tagger.next(label) : undefined,
      });
      const sequentialUsage = sampler.end();
      let concurrent: Measured['concurrent'] = null;
      let firstError: string | null = null;
      if (args.durationSeconds > 0 && !events) {
        sampler = new ProcessSampler(processes);
        sampler.begin();
        const load = await runLoad(
          {
            url: target.url,
            body: statsBody(variant.filter),
            headers: (nonce) => ({
              authorization: `Bearer ${target.token}`,
              'x-correlation-id': nonce,
            }),
          },
          {
            connections: args.connections,
            durationSeconds: args.durationSeconds,
            noncePrefix: `${prefix}-c`,
          },
        );
        const usage = sampler.end();
        ({ firstError } = load);
        concurrent = { ...load, usage };
      }
      const dead = topology.processes.find(
        (p) => p.child.exitCode !== null || p.child.signalCode !== null,
      );
      if (dead) throw new Error(`${dead.name} exited during the run:\n${logTail(dead)}`);
      measured.push({ variant, sequential, sequentialUsage, concurrent, firstError });
      console.log(
        `${variant.name}: 1 client p50 ${ms(sequential.p50)} ms, p95 ${ms(sequential.p95)} ms, p99 ${ms(sequential.p99)} ms, mean ${ms(sequential.mean)} ms` +
          (concurrent
            ? `; ${args.connections} clients ${concurrent.requestsPerSecond.toFixed(1)} req/s, p95 ${ms(concurrent.p95)} ms, ${concurrent.errors} errors`
            : '') +
          (firstError ? ` (first error: ${firstError.slice(0, 200)})` : ''),
      );
    }

    const errors = measured.reduce((sum, m) => sum + (m.concurrent?.errors ?? 0), 0);
    const verdict = (p95: number) => (p95 < TARGET_P95_MS ? 'under' : '**over**');
    const targetText = measured
      .map(
        (m) =>
          `${m.variant.name} ${verdict(m.sequential.p95)} with 1 client` +
          (m.concurrent ? `, ${verdict(m.concurrent.p95)} with ${args.connections}` : ''),
      )
      .join('; ');
    const report = [
      `## Analytics: escalationStats, ${args.topology === 'embedded' ? 'embedded hub (one process)' : 'five processes'} on ${args.data.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, dataset ${datasetText}, ${startedAt.toISOString().slice(0, 10)}`,
      '',
      ...provenanceLines('analytics', argv, startedAt, loadBefore),
      `- Asked through the hub's gateway by ${subjects.analystRole} ${subjects.analystId} of board ${subjects.boardId} (the board with the most escalations, ${subjects.escalations.toLocaleString('en-GB')}); every request unique (its own correlation id)`,
      `- Per filter: ${args.warmup} requests of warm-up, then ${args.requests} measured from one client, each sent when the last was answered and each answer checked (no errors, the same total)` +
        (args.durationSeconds > 0 && !events
          ? `; then ${args.connections} clients for ${args.durationSeconds} s (autocannon, closed loop)`
          : ''),
      events
        ? `- Each measured request the first after an event for its board: before it (not timed) board manager ${subjects.managerId} tagged one of ${subjects.escalationIds.length} of the board's escalations through the gateway, and the request went once learning's statistics version for the board had moved; no concurrent part. CPU and RSS include the tags`
        : statsCacheLine(process.env.LEARNING_STATS_CACHE_ROWS),
      `- CPU in % of one core over each measurement; peak RSS during it${skipped.length ? `; skipped (disclosure control refused every candidate filter): ${skipped.join(', ')}` : ''}`,
      `- Target (issue 12, at L on PostgreSQL): p95 under ${TARGET_P95_MS} ms; here: ${targetText}`,
      '',
      analyticsTables(measured, args.connections),
      '',
    ].join('\n');
    console.log(`\n${report}`);
    if (args.resultsFile) {
      await appendResults(args.resultsFile, report);
      console.log(`appended to ${args.resultsFile}`);
    }
    if (errors > 0) {
      console.error(`bench analytics: ${errors} errors under load (see the first above)`);
      return 1;
    }
    return 0;
  } finally {
    await events?.close();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await topology.stop();
  }
}

/**
 * How the learning subgraph kept boards' statistics in the run: the hub's processes inherit
 * LEARNING_STATS_CACHE_ROWS from the benchmark's environment.
 */
export function statsCacheLine(rows: string | undefined): string {
  return rows !== undefined && Number(rows) === 0
    ? "- Learning's statistics cache off (LEARNING_STATS_CACHE_ROWS=0): every request reads its board's rows whole, as a process that has not kept the board does"
    : `- Learning's statistics cache on (LEARNING_STATS_CACHE_ROWS=${rows ?? 'default'}): after the warm-up, every request finds its board's rows kept in memory, as between events in use`;
}
