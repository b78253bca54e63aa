import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from '../workload/service.process.js';

export const FEEDS = ['health', 'education'] as const;
export type FeedName = (typeof FEEDS)[number];

export const INGEST_USAGE = `usage: bench ingest --dataset-dir <dir> [--records 10000,100000] [--feeds health,education]
         [--seed 1] [--resend] [--work-dir <dir>] [--keep] [--results bench/RESULTS.md | --no-results]
  --dataset-dir  a dataset's SQLite directory (bench dataset --target sqlite --data-dir); never
                 written: each size runs on a copy of it in the work directory
  --records      source records per feed, one run (a fresh copy and hub) per size
                 (default 10000,100000)
  --feeds        health (a FHIR R4 Bundle, POST /ingest/health) and education (a school's
                 safeguarding-log CSV, POST /ingest/education) (default both)
  --seed         the generators' seed (default 1)
  --resend       post each feed a second time, unchanged, straight after the first (an agency
                 sending its whole export again); reported as a row of its own
  --work-dir     where the copies and the generated files go (default the system's temporary
                 directory); removed afterwards unless --keep
  --results      the file the results are appended to (default bench/RESULTS.md)`;

/** A command line the ingest command does not take; the message names the option. */
export class IngestUsageError extends Error {}

export interface IngestArgs {
  datasetDir: string;
  sizes: number[];
  feeds: FeedName[];
  seed: number;
  /** Post each feed again, unchanged, after the first time. */
  resend: boolean;
  workDir: string;
  keep: boolean;
  /** null: print only. */
  resultsFile: string | null;
}

const MAX_RECORDS = 10_000_000;

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new IngestUsageError(
      `${option} must be a whole number from ${min} to ${max}, not ${text}`,
    );
  }
  return value;
}

/** Parses `ingest`'s arguments, naming the option at fault. */
export function parseIngestArgs(args: string[], cwd = process.cwd()): IngestArgs {
  const valued = ['--dataset-dir', '--records', '--feeds', '--seed', '--work-dir', '--results'];
  const values = new Map<string, string>();
  let noResults = false;
  let keep = false;
  let resend = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--no-results') {
      noResults = true;
    } else if (arg === '--keep') {
      keep = true;
    } else if (arg === '--resend') {
      resend = true;
    } else if (arg === '--database-url') {
      throw new IngestUsageError(
        '--database-url is not taken: ingest writes, and the benchmark runs on a copy of the dataset, which it makes of SQLite files only; give --dataset-dir',
      );
    } else if (valued.includes(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new IngestUsageError(`${arg} needs a value`);
      }
      if (values.has(arg)) throw new IngestUsageError(`${arg} is given twice`);
      values.set(arg, value);
      i += 1;
    } else {
      throw new IngestUsageError(`unknown option ${arg}`);
    }
  }
  const dir = values.get('--dataset-dir');
  if (!dir) throw new IngestUsageError('--dataset-dir is required (the dataset)');
  const sizes = [
    ...new Set(
      (values.get('--records') ?? '10000,100000')
        .split(',')
        .map((item) => wholeNumber('--records', item.trim(), 1, MAX_RECORDS)),
    ),
  ].sort((a, b) => a - b);
  const feedItems = (values.get('--feeds') ?? FEEDS.join(',')).split(',').map((f) => f.trim());
  for (const item of feedItems) {
    if (!FEEDS.includes(item as FeedName)) {
      throw new IngestUsageError(`--feeds takes ${FEEDS.join(', ')}; not ${item || '""'}`);
    }
  }
  if (values.has('--results') && noResults) {
    throw new IngestUsageError('--results and --no-results contradict each other');
  }
  const results = values.get('--results');
  return {
    datasetDir: resolve(cwd, dir),
    sizes,
    feeds: FEEDS.filter((feed) => feedItems.includes(feed)),
    seed: wholeNumber('--seed', values.get('--seed') ?? '1', 0, 2 ** 32 - 1),
    resend,
    workDir: resolve(cwd, values.get('--work-dir') ?? tmpdir()),
    keep,
    resultsFile: noResults
      ? null
      : results
        ? resolve(cwd, results)
        : join(ROOT, 'bench', 'RESULTS.md'),
  };
}
