import { resolve } from 'node:path';
import { databaseTarget, type DatabaseTarget } from '@hub/kit';
import { loadDataset } from './dataset.load.js';
import { SIZES, sizeSpec, type DatasetSpec, type SizeName } from './dataset.spec.js';
import { verifyDataset } from './dataset.verify.js';
import { SUBGRAPHS, type SubgraphName } from './tables.js';

export const DATASET_USAGE = `usage: bench dataset --size S|M|L [--seed 1]
         (--target sqlite --data-dir <dir> | --target postgres --database-url <url>)
         [--events | --no-events] [--audit | --no-audit] [--verify]
       bench dataset --verify-only (--target sqlite --data-dir <dir> | --target postgres --database-url <url>)
  --size        S: 1,000 escalations on 3 boards; M: 100,000 on 10; L: 1,000,000 on 30
  --seed        the same seed gives the same data (default 1)
  --events      write the outbox events and processed markers the hub would have (default: on for S and M, off for L)
  --audit       write the audit entries of every change, hash-chained (default: on for S and M, off for L)
  --verify      afterwards, check the dataset through the hub (audit chains, replay, GraphQL)
  --verify-only check an existing dataset without loading one`;

/** A command line the dataset command does not take; the message names the option. */
export class UsageError extends Error {}

export interface DatasetCommand {
  spec: DatasetSpec | null;
  size: SizeName | null;
  targets: Record<SubgraphName, DatabaseTarget>;
  verify: boolean;
}

/** Parses `dataset`'s arguments, naming the option at fault. */
export function parseDatasetArgs(args: string[]): DatasetCommand {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const valued = ['--size', '--seed', '--target', '--data-dir', '--database-url'];
  const switches = [
    '--events',
    '--no-events',
    '--audit',
    '--no-audit',
    '--verify',
    '--verify-only',
  ];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (valued.includes(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`${arg} needs a value`);
      values.set(arg, value);
      i += 1;
    } else if (switches.includes(arg)) flags.add(arg);
    else throw new UsageError(`unknown option ${arg}`);
  }
  const target = values.get('--target') ?? 'sqlite';
  let targets: Record<SubgraphName, DatabaseTarget>;
  if (target === 'sqlite') {
    const dir = values.get('--data-dir');
    if (!dir) throw new UsageError('--data-dir is required with --target sqlite');
    if (values.has('--database-url'))
      throw new UsageError('--database-url goes with --target postgres');
    targets = targetsFor({ dataDir: resolve(dir) });
  } else if (target === 'postgres') {
    const url = values.get('--database-url');
    if (!url) throw new UsageError('--database-url is required with --target postgres');
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new UsageError('--database-url must be a postgres:// URL');
    targets = targetsFor({ dataDir: '', databaseUrl: url });
  } else throw new UsageError(`--target must be sqlite or postgres, not ${target}`);

  if (flags.has('--verify-only')) {
    if (values.has('--size')) throw new UsageError('--verify-only loads nothing: drop --size');
    return { spec: null, size: null, targets, verify: true };
  }
  const size = values.get('--size');
  if (!size) throw new UsageError('--size is required (S, M or L)');
  if (!(size in SIZES)) throw new UsageError(`--size must be S, M or L, not ${size}`);
  const seedText = values.get('--seed') ?? '1';
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed) || seed > 0xffffffff)
    throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not ${seedText}`);
  const spec = sizeSpec(size as SizeName, seed);
  for (const name of ['events', 'audit'] as const) {
    if (flags.has(`--${name}`) && flags.has(`--no-${name}`))
      throw new UsageError(`--${name} and --no-${name} contradict each other`);
    if (flags.has(`--${name}`)) spec[name] = true;
    if (flags.has(`--no-${name}`)) spec[name] = false;
  }
  return { spec, size: size as SizeName, targets, verify: flags.has('--verify') };
}

/** Each subgraph's database exactly where the hub would look with these settings. */
function targetsFor(settings: {
  dataDir: string;
  databaseUrl?: string;
}): Record<SubgraphName, DatabaseTarget> {
  return Object.fromEntries(
    SUBGRAPHS.map((name) => [name, databaseTarget(name, settings)]),
  ) as Record<SubgraphName, DatabaseTarget>;
}

/** `bench dataset …`: loads (and with --verify checks) a dataset; resolves with the exit code. */
export async function datasetCommand(args: string[]): Promise<number> {
  let command: DatasetCommand;
  try {
    command = parseDatasetArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench dataset: ${error.message}\n${DATASET_USAGE}`);
    return 2;
  }
  const where =
    command.targets.cases.kind === 'sqlite'
      ? `SQLite files in ${resolve(command.targets.cases.file, '..')}`
      : `PostgreSQL, schemas ${SUBGRAPHS.join(', ')}`;
  if (command.spec) {
    const { spec } = command;
    console.log(
      `dataset ${command.size}: ${spec.escalations} escalations on ${spec.boards} boards, seed ${spec.seed}, events ${spec.events ? 'on' : 'off'}, audit ${spec.audit ? 'on' : 'off'} -> ${where}`,
    );
    const started = Date.now();
    const report = await loadDataset(spec, command.targets, undefined, (month, summary) => {
      // Every six months on stderr: an L load runs for minutes.
      if (/-(06|12)$/.test(month))
        console.error(
          `  … ${month}: ${summary.escalations} escalations, ${summary.cases} cases (${Math.round((Date.now() - started) / 1000)} s)`,
        );
    });
    let total = 0;
    for (const db of SUBGRAPHS) {
      const tables = Object.entries(report.counts[db]).filter(([, n]) => n > 0);
      const rows = tables.reduce((sum, [, n]) => sum + n, 0);
      total += rows;
      console.log(
        `  ${db}: ${rows} rows (${tables.map(([table, n]) => `${table} ${n}`).join(', ')})`,
      );
    }
    const { summary } = report;
    console.log(
      `  ${summary.boards} boards, ${summary.agencies} agencies, ${summary.practitioners} practitioners, ${summary.cases} cases, ${summary.escalations} escalations (${Object.entries(
        summary.byStatus,
      )
        .map(([status, n]) => `${n} ${status}`)
        .join(', ')}), ${summary.panels} panels, ${summary.overdueOpenStages} overdue open stages`,
    );
    console.log(
      `  migrated in ${(report.migrateMs / 1000).toFixed(1)} s; generated and loaded ${total} rows in ${(report.loadMs / 1000).toFixed(1)} s (${Math.round(total / (report.loadMs / 1000))} rows/s); peak RSS ${report.peakRssMiB} MiB`,
    );
  }
  if (!command.verify) return 0;
  const checks = await verifyDataset(command.targets);
  for (const check of checks)
    console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  return checks.every((check) => check.ok) ? 0 : 1;
}
