import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mintToken } from '@hub/gateway';
import Database from 'libsql';
import {
  BenchUsageError,
  describeDataset,
  hubOptions,
  ms,
  provenanceLines,
  readOptions,
  resultsOption,
  wholeNumber,
  type HubOptions,
} from '../analytics/bench.options.js';
import {
  missingDataset,
  startEmbedded,
  startFive,
  type DataSource,
  type RunningTopology,
} from '../workload/hub.topology.js';
import { ProcessSampler } from '../workload/process.sampler.js';
import { appendResults } from '../workload/results.file.js';
import { logTail } from '../workload/service.process.js';
import { datasetTargets, loadText, settle } from '../workload/workload.command.js';
import { LOAD_GENERATOR } from '../workload/workload.report.js';
import { awaitWrites, checkWrites, snapshotWrites, type WriteCheck } from './writes.check.js';
import { MUTATIONS, runWrites, type WriteClient } from './writes.runner.js';
import { pickWriteSubjects } from './writes.subjects.js';

export const WRITES_USAGE = `usage: bench writes (--dataset-dir <dir> | --database-url <url> --i-know-it-writes)
         [--topology embedded|five] [--duration 30] [--clients 20] [--catch-up 120]
         [--work-dir <dir>] [--keep-copy] [--nats-url nats://127.0.0.1:4222]
         [--results bench/RESULTS.md | --no-results]
  The benchmark WRITES: it raises and escalates escalations.
  --dataset-dir       a dataset's SQLite directory, never written: it is copied (VACUUM INTO) into
                      a temporary directory under --work-dir, which the hub runs on and which is
                      deleted afterwards unless --keep-copy
  --database-url      a PostgreSQL database made for this run, written in place: only with
                      --i-know-it-writes (copy a dataset first: createdb -T bench_s bench_s_writes)
  --topology          embedded: \`hub start\`, one process (default); five: \`hub serve\` x5 on
                      PostgreSQL and NATS (needs --database-url)
  --duration          seconds the clients write (default 30)
  --clients           concurrent clients, each a different practitioner with a token of its own
                      (default 20)
  --catch-up          seconds allowed after the run for events to be published and applied
                      (default 120)
  --work-dir          where the SQLite copy is made (default the system's temporary directory)
  --results           the file the results are appended to (default bench/RESULTS.md)`;

export interface WritesArgs extends HubOptions {
  durationSeconds: number;
  clients: number;
  catchUpSeconds: number;
  workDir: string;
  keepCopy: boolean;
  resultsFile: string | null;
}

/** Parses `writes`'s arguments, naming the option at fault. */
export function parseWritesArgs(args: string[], cwd = process.cwd()): WritesArgs {
  const options = readOptions(
    args,
    [
      '--dataset-dir',
      '--database-url',
      '--topology',
      '--nats-url',
      '--duration',
      '--clients',
      '--catch-up',
      '--work-dir',
      '--results',
    ],
    ['--no-results', '--i-know-it-writes', '--keep-copy'],
  );
  const hub = hubOptions(options, cwd);
  if (hub.data.kind === 'postgres' && !options.flags.has('--i-know-it-writes')) {
    throw new BenchUsageError(
      '--database-url is written in place (escalations raised and escalated): give --i-know-it-writes, on a database made for it (createdb -T <dataset> <copy>), never the dataset itself',
    );
  }
  if (hub.data.kind === 'sqlite' && options.flags.has('--i-know-it-writes')) {
    throw new BenchUsageError(
      '--i-know-it-writes is for --database-url: a --dataset-dir is copied, never written',
    );
  }
  if (options.values.has('--work-dir') && hub.data.kind !== 'sqlite') {
    throw new BenchUsageError(
      '--work-dir is where a --dataset-dir is copied: not with --database-url',
    );
  }
  if (options.flags.has('--keep-copy') && hub.data.kind !== 'sqlite') {
    throw new BenchUsageError(
      '--keep-copy keeps the copy of a --dataset-dir: not with --database-url',
    );
  }
  const { values } = options;
  return {
    ...hub,
    durationSeconds: wholeNumber('--duration', values.get('--duration') ?? '30', 1, 3600),
    clients: wholeNumber('--clients', values.get('--clients') ?? '20', 1, 500),
    catchUpSeconds: wholeNumber('--catch-up', values.get('--catch-up') ?? '120', 0, 3600),
    workDir: resolve(cwd, values.get('--work-dir') ?? tmpdir()),
    keepCopy: options.flags.has('--keep-copy'),
    resultsFile: resultsOption(options, cwd),
  };
}

/**
 * Copies a dataset's SQLite directory for a run that writes: each database by `VACUUM INTO`
 * (a consistent copy even if a hub is running on the dataset), the other files (the embedded
 * key, the internal secret) as they are. Resolves with the copy's directory.
 */
export function copySqliteDataset(from: string, workDir: string): string {
  const to = mkdtempSync(join(workDir, 'hub-writes-'));
  try {
    for (const name of readdirSync(from)) {
      // By name first: SQLite removes its -shm and -wal files when the last connection closes,
      // which opening a database below does.
      if (/\.sqlite-(wal|shm|journal)$/.test(name)) continue;
      const source = join(from, name);
      if (!statSync(source).isFile()) continue;
      if (name.endsWith('.sqlite')) {
        const db = new Database(source, { readonly: true });
        try {
          db.exec(`vacuum into '${join(to, name).replaceAll("'", "''")}'`);
        } finally {
          db.close();
        }
      } else {
        copyFileSync(source, join(to, name));
      }
    }
  } catch (error) {
    rmSync(to, { recursive: true, force: true });
    throw error;
  }
  return to;
}

const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;

/** `bench writes …`: raises and escalates under concurrent clients, then checks; the exit code. */
export async function writesCommand(argv: string[]): Promise<number> {
  let args: WritesArgs;
  try {
    args = parseWritesArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench writes: ${error.message}\n${WRITES_USAGE}`);
    return 2;
  }
  const missing = missingDataset('writes', args.data);
  if (missing) {
    console.error(missing);
    return 2;
  }
  const startedAt = new Date();
  const loadBefore = loadText();
  let data: DataSource = args.data;
  let copy: string | null = null;
  if (args.data.kind === 'sqlite') {
    const copyStarted = performance.now();
    copy = copySqliteDataset(args.data.dir, args.workDir);
    data = { kind: 'sqlite', dir: copy };
    console.log(
      `copied ${args.data.dir} to ${copy} in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s; the run writes there`,
    );
  }
  let topology: RunningTopology | null = null;
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`bench writes: ${signal}: stopping the servers it started`);
    void (topology?.stop() ?? Promise.resolve()).finally(() => {
      if (copy && !args.keepCopy) rmSync(copy, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const targets = datasetTargets(data);
    const datasetText = await describeDataset(targets);
    const subjects = await pickWriteSubjects(targets, args.clients);
    const boards = [...new Set(subjects.map((s) => s.boardId))];
    const agencies = new Set(subjects.map((s) => s.agencyId)).size;
    console.log(
      `dataset ${datasetText}; ${subjects.length} clients of ${agencies} agencies on board(s) ${boards.join(', ')}`,
    );
    topology =
      args.topology === 'embedded'
        ? await startEmbedded(data)
        : await startFive((data as { url: string }).url, args.natsUrl);
    console.log(`hub (${args.topology}) at ${topology.gatewayUrl}; logs in ${topology.workDir}`);
    const processes = [
      ...topology.processes.map(({ name, pid }) => ({ name, pid })),
      { name: LOAD_GENERATOR, pid: process.pid },
    ];
    const clients: WriteClient[] = [];
    for (const subject of subjects) {
      clients.push({
        ...subject,
        token: await mintToken(topology.key, { subject: subject.practitionerId }),
      });
    }
    await settle(processes);

    const baseline = await snapshotWrites(targets);
    const sampler = new ProcessSampler(processes);
    sampler.begin();
    const run = await runWrites(topology.gatewayUrl, clients, {
      durationSeconds: args.durationSeconds,
      noncePrefix: `wr-${randomBytes(3).toString('hex')}`,
    });
    const usage = sampler.end();
    const dead = topology.processes.find(
      (p) => p.child.exitCode !== null || p.child.signalCode !== null,
    );
    if (dead) throw new Error(`${dead.name} exited during the run:\n${logTail(dead)}`);
    for (const name of MUTATIONS) {
      const m = run.mutations[name];
      console.log(
        `${name}: ${m.ok} answered (${(m.ok / run.seconds).toFixed(1)}/s), p50 ${ms(m.p50)} ms, p95 ${ms(m.p95)} ms, p99 ${ms(m.p99)} ms, ${m.errors} errors` +
          (m.firstError ? ` (first: ${m.firstError.slice(0, 300)})` : ''),
      );
    }
    console.log(
      `checking, allowing ${args.catchUpSeconds} s for events to be published and applied…`,
    );
    const caughtUp = await awaitWrites(targets, baseline, run.raised, args.catchUpSeconds);
    await topology.stop();
    topology = null;
    // Again with the hub stopped (its relays drained): what stays in the databases.
    const checks: WriteCheck[] = await checkWrites(targets, baseline, run.raised);
    const failed = checks.filter((c) => !c.ok);

    const answered = MUTATIONS.reduce((sum, name) => sum + run.mutations[name].ok, 0);
    const errors = MUTATIONS.reduce((sum, name) => sum + run.mutations[name].errors, 0);
    const report = [
      `## Writes: raise and escalate, ${args.topology === 'embedded' ? 'embedded hub (one process)' : 'five processes'} on ${args.data.kind === 'sqlite' ? 'SQLite (a copy)' : 'PostgreSQL'}, dataset ${datasetText}, ${startedAt.toISOString().slice(0, 10)}`,
      '',
      ...provenanceLines('writes', argv, startedAt, loadBefore),
      `- ${run.clients} clients for ${args.durationSeconds} s (${run.seconds.toFixed(1)} s with the last cycles finished), each a different front-line practitioner with a token of its own, ${agencies} agencies of board(s) ${boards.join(', ')}, a case each; each client in a loop: raiseEscalation, addEscalationRecord (a DISCUSSION, which escalating needs), escalateEscalation to stage 2, each sent when the last is answered`,
      `- ${answered} mutations answered, ${(answered / run.seconds).toFixed(1)} writes/s (${(run.mutations.raiseEscalation.ok / run.seconds).toFixed(1)} escalations raised/s); ${errors} errors`,
      `- Checked ${caughtUp.checks.every((c) => c.ok) ? `consistent ${caughtUp.seconds.toFixed(1)} s after the run` : `still failing after ${caughtUp.seconds.toFixed(0)} s`} with the hub running, then again with it stopped (below)`,
      '',
      row(['mutation', 'answered', 'per s', 'p50 ms', 'p95', 'p99', 'mean', 'errors']),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
      ...MUTATIONS.map((name) => {
        const m = run.mutations[name];
        return row([
          name,
          m.ok,
          (m.ok / run.seconds).toFixed(1),
          ms(m.p50),
          ms(m.p95),
          ms(m.p99),
          ms(m.mean),
          m.errors,
        ]);
      }),
      '',
      row(['process', 'CPU %', 'peak RSS MiB']),
      row(['---', '---:', '---:']),
      ...usage.map((u) =>
        row([
          u.name,
          Number.isFinite(u.cpuPercent) ? u.cpuPercent.toFixed(0) : '–',
          Number.isFinite(u.peakRssMiB) ? u.peakRssMiB.toFixed(0) : '–',
        ]),
      ),
      '',
      row(['check', 'result', 'detail']),
      row(['---', '---', '---']),
      ...checks.map((c) =>
        row([c.name, c.ok ? 'ok' : '**FAILED**', c.detail.replaceAll('|', '/')]),
      ),
      '',
      ...MUTATIONS.filter((name) => run.mutations[name].firstError).map(
        (name) =>
          `- First ${name} error: ${run.mutations[name].firstError!.slice(0, 300).replaceAll('\n', ' ')}`,
      ),
    ].join('\n');
    console.log(`\n${report}`);
    if (args.resultsFile) {
      await appendResults(args.resultsFile, report);
      console.log(`appended to ${args.resultsFile}`);
    }
    if (failed.length) {
      console.error(
        `bench writes: ${failed.length} check(s) failed: ${failed.map((c) => c.name).join('; ')}`,
      );
      return 1;
    }
    if (run.mutations.raiseEscalation.ok === 0) {
      console.error('bench writes: no escalation was raised');
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await topology?.stop();
    if (copy) {
      if (args.keepCopy) console.log(`kept the copy in ${copy}`);
      else rmSync(copy, { recursive: true, force: true });
    }
  }
}
