import { availableParallelism, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { DatabaseTarget } from '@hub/kit';
import { SIZES } from '../dataset/dataset.spec.js';
import type { SubgraphName } from '../dataset/tables.js';
import type { DataSource, TopologyName } from '../workload/hub.topology.js';
import { ROOT } from '../workload/service.process.js';
import { git, loadText } from '../workload/workload.command.js';
import { countDataset } from '../workload/workload.subjects.js';

/**
 * What the analytics and writes commands share: reading their options (naming the one at
 * fault), the dataset and hub options they take as `bench workload` does, and the lines that
 * say how, where and on what a result was measured.
 */

/** A command line a command does not take; the message names the option. */
export class BenchUsageError extends Error {}

export interface ReadOptions {
  values: Map<string, string>;
  flags: Set<string>;
}

/** Splits `args` into `--name value` options and bare flags, refusing anything else. */
export function readOptions(
  args: readonly string[],
  valued: readonly string[],
  flags: readonly string[],
): ReadOptions {
  const values = new Map<string, string>();
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (flags.includes(arg)) {
      seen.add(arg);
    } else if (valued.includes(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new BenchUsageError(`${arg} needs a value`);
      if (values.has(arg)) throw new BenchUsageError(`${arg} is given twice`);
      values.set(arg, value);
      i += 1;
    } else {
      throw new BenchUsageError(`unknown option ${arg}`);
    }
  }
  return { values, flags: seen };
}

export function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new BenchUsageError(
      `${option} must be a whole number from ${min} to ${max}, not ${text}`,
    );
  }
  return value;
}

export function list<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new BenchUsageError(`${option} takes ${allowed.join(', ')}; not ${item || '""'}`);
    }
  }
  return allowed.filter((item) => items.includes(item));
}

/** The data and hub options, as `bench workload` takes them. */
export interface HubOptions {
  data: DataSource;
  topology: TopologyName;
  natsUrl: string;
}

/** `--dataset-dir` | `--database-url`, `--topology`, `--nats-url`. */
export function hubOptions(options: ReadOptions, cwd: string): HubOptions {
  const { values } = options;
  const dir = values.get('--dataset-dir');
  const url = values.get('--database-url');
  if (dir && url) throw new BenchUsageError('--dataset-dir and --database-url: give one');
  if (!dir && !url) {
    throw new BenchUsageError('--dataset-dir or --database-url is required (the dataset)');
  }
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new BenchUsageError('--database-url must be a postgres:// URL');
  }
  const data: DataSource = dir
    ? { kind: 'sqlite', dir: resolve(cwd, dir) }
    : { kind: 'postgres', url: url! };
  const topology = values.get('--topology') ?? 'embedded';
  if (topology !== 'embedded' && topology !== 'five') {
    throw new BenchUsageError(`--topology must be embedded or five, not ${topology}`);
  }
  if (topology === 'five' && data.kind !== 'postgres') {
    throw new BenchUsageError('--topology five runs on PostgreSQL: give --database-url');
  }
  const natsUrl = values.get('--nats-url') ?? 'nats://127.0.0.1:4222';
  if (!/^nats:\/\//.test(natsUrl)) throw new BenchUsageError('--nats-url must be a nats:// URL');
  return { data, topology, natsUrl };
}

/** `--results <file>` | `--no-results`: the file to append to, or null to print only. */
export function resultsOption(options: ReadOptions, cwd: string): string | null {
  const results = options.values.get('--results');
  const none = options.flags.has('--no-results');
  if (results && none) {
    throw new BenchUsageError('--results and --no-results contradict each other');
  }
  if (none) return null;
  return results ? resolve(cwd, results) : join(ROOT, 'bench', 'RESULTS.md');
}

/** The dataset's size as the results name it, e.g. `S (1,000 escalations, 3 boards)`. */
export async function describeDataset(
  targets: Record<SubgraphName, DatabaseTarget>,
): Promise<string> {
  const counts = await countDataset(targets);
  const sizeName = Object.entries(SIZES).find(
    ([, size]) => size.escalations === counts.escalations && size.boards === counts.boards,
  )?.[0];
  return `${sizeName ?? 'custom'} (${counts.escalations.toLocaleString('en-GB')} escalations, ${counts.boards} boards)`;
}

/** The lines every result starts with: command, commit, machine and load, as workload's. */
export function provenanceLines(
  command: string,
  argv: readonly string[],
  startedAt: Date,
  loadBefore: string,
): string[] {
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain']) !== '';
  return [
    `- Command: \`npm run bench -- ${command} ${argv.join(' ')}\``,
    `- Commit: ${commit || '?'}${dirty ? ' (with uncommitted changes in the working tree)' : ''}; started ${startedAt.toISOString()}`,
    `- Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 1048576)} MiB memory; load average ${loadBefore} before, ${loadText()} after (shared and noisy)`,
    `- Hub on Node ${process.versions.node}`,
  ];
}

/** `12.3` for a figure in ms, `–` for none. */
export const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '–');
