import { join, resolve } from 'node:path';
import { OPERATION_NAMES, type OperationName } from './workload.operations.js';
import type { DataSource, TopologyName } from './hub.topology.js';
import { ROOT } from './service.process.js';
import { TARGET_NAMES, type TargetName } from './workload.report.js';

export const WORKLOAD_USAGE = `usage: bench workload (--dataset-dir <dir> | --database-url <url>) [--topology embedded|five]
         [--duration 30] [--warmup 5] [--connections 50] [--runs 3] [--only ours,hive,direct]
         [--operations case-page,escalation-list,overdue-list] [--nats-url nats://127.0.0.1:4222]
         [--results bench/RESULTS.md | --no-results]
  --dataset-dir   a dataset's SQLite directory (bench dataset --target sqlite --data-dir)
  --database-url  a dataset's PostgreSQL database (bench dataset --target postgres)
  --topology      embedded: \`hub start\`, one process (default); five: \`hub serve\` x5 on
                  PostgreSQL and NATS (needs --database-url)
  --duration      seconds measured per run, operation and target (default 30)
  --warmup        seconds sent before each measurement and not counted (default 5)
  --connections   concurrent connections, each sending its next request when answered (default 50)
  --runs          runs; figures are their medians (default 3)
  --only          targets to measure: ours (the hub gateway), hive (Hive Gateway), direct
                  (the subgraphs, sending the requests of the hub's query plan) (default all)
  --operations    which operations (default all three)
  --results       the file the results are appended to (default bench/RESULTS.md)`;

/** A command line the workload command does not take; the message names the option. */
export class WorkloadUsageError extends Error {}

export interface WorkloadArgs {
  data: DataSource;
  topology: TopologyName;
  natsUrl: string;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  runs: number;
  targets: TargetName[];
  operations: OperationName[];
  /** null: print only. */
  resultsFile: string | null;
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new WorkloadUsageError(
      `${option} must be a whole number from ${min} to ${max}, not ${text}`,
    );
  }
  return value;
}

function list<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new WorkloadUsageError(`${option} takes ${allowed.join(', ')}; not ${item || '""'}`);
    }
  }
  return allowed.filter((item) => items.includes(item));
}

/** Parses `workload`'s arguments, naming the option at fault. */
export function parseWorkloadArgs(args: string[], cwd = process.cwd()): WorkloadArgs {
  const valued = [
    '--dataset-dir',
    '--database-url',
    '--topology',
    '--nats-url',
    '--duration',
    '--warmup',
    '--connections',
    '--runs',
    '--only',
    '--operations',
    '--results',
  ];
  const values = new Map<string, string>();
  let noResults = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--no-results') {
      noResults = true;
    } else if (valued.includes(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new WorkloadUsageError(`${arg} needs a value`);
      }
      if (values.has(arg)) throw new WorkloadUsageError(`${arg} is given twice`);
      values.set(arg, value);
      i += 1;
    } else {
      throw new WorkloadUsageError(`unknown option ${arg}`);
    }
  }
  const dir = values.get('--dataset-dir');
  const url = values.get('--database-url');
  if (dir && url) throw new WorkloadUsageError('--dataset-dir and --database-url: give one');
  if (!dir && !url) {
    throw new WorkloadUsageError('--dataset-dir or --database-url is required (the dataset)');
  }
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new WorkloadUsageError('--database-url must be a postgres:// URL');
  }
  const data: DataSource = dir
    ? { kind: 'sqlite', dir: resolve(cwd, dir) }
    : { kind: 'postgres', url: url! };
  const topology = values.get('--topology') ?? 'embedded';
  if (topology !== 'embedded' && topology !== 'five') {
    throw new WorkloadUsageError(`--topology must be embedded or five, not ${topology}`);
  }
  if (topology === 'five' && data.kind !== 'postgres') {
    throw new WorkloadUsageError('--topology five runs on PostgreSQL: give --database-url');
  }
  const natsUrl = values.get('--nats-url') ?? 'nats://127.0.0.1:4222';
  if (!/^nats:\/\//.test(natsUrl)) {
    throw new WorkloadUsageError('--nats-url must be a nats:// URL');
  }
  if (values.has('--results') && noResults) {
    throw new WorkloadUsageError('--results and --no-results contradict each other');
  }
  const results = values.get('--results');
  return {
    data,
    topology,
    natsUrl,
    durationSeconds: wholeNumber('--duration', values.get('--duration') ?? '30', 1, 3600),
    warmupSeconds: wholeNumber('--warmup', values.get('--warmup') ?? '5', 0, 600),
    connections: wholeNumber('--connections', values.get('--connections') ?? '50', 1, 1000),
    runs: wholeNumber('--runs', values.get('--runs') ?? '3', 1, 20),
    targets: list('--only', values.get('--only') ?? TARGET_NAMES.join(','), TARGET_NAMES),
    operations: list(
      '--operations',
      values.get('--operations') ?? OPERATION_NAMES.join(','),
      OPERATION_NAMES,
    ),
    resultsFile: noResults
      ? null
      : results
        ? resolve(cwd, results)
        : join(ROOT, 'bench', 'RESULTS.md'),
  };
}
