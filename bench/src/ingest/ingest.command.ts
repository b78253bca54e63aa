import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@hub/gateway';
import { databaseTarget } from '@hub/kit';
import { SIZES } from '../dataset/dataset.spec.js';
import { missingDataset, startEmbedded } from '../workload/hub.topology.js';
import { ProcessSampler, type ProcessUsage } from '../workload/process.sampler.js';
import { appendResults } from '../workload/results.file.js';
import { logTail } from '../workload/service.process.js';
import { datasetTargets, git, loadText, settle } from '../workload/workload.command.js';
import { countDataset } from '../workload/workload.subjects.js';
import { writeFhirBundle, type GeneratedFeed } from './fhir.generator.js';
import {
  INGEST_USAGE,
  IngestUsageError,
  parseIngestArgs,
  type FeedName,
  type IngestArgs,
} from './ingest.args.js';
import { postFeed, type IngestReport } from './ingest.post.js';
import { rejectionSummary, reportMarkdown, type FeedRun } from './ingest.report.js';
import { pickIngestSubjects, type IngestSubjects } from './ingest.subjects.js';
import { RssSeries, type RssSample } from './rss.series.js';
import { writeSafeguardingLog } from './safeguarding-log.generator.js';

export { INGEST_USAGE };

/** Writes one feed's file: a FHIR Bundle for health, a safeguarding log for a school. */
export function generateFeed(
  feed: FeedName,
  dir: string,
  subjects: IngestSubjects,
  records: number,
  seed: number,
): Promise<GeneratedFeed> {
  return feed === 'health'
    ? writeFhirBundle(join(dir, `health-${records}.json`), subjects.health, records, seed)
    : writeSafeguardingLog(
        join(dir, `education-${records}.csv`),
        subjects.education,
        records,
        seed,
      );
}

/**
 * One size: a fresh copy of the dataset, the feeds generated for it, the embedded hub started
 * on the copy, and each feed posted in turn while the hub's CPU and memory are read (with
 * `--resend`, each straight after its first time too).
 */
async function runSize(args: IngestArgs, records: number): Promise<FeedRun[]> {
  mkdirSync(args.workDir, { recursive: true });
  const dir = mkdtempSync(join(args.workDir, `hub-ingest-${records}-`));
  const dataDir = join(dir, 'data');
  try {
    cpSync(args.datasetDir, dataDir, { recursive: true });
    const subjects = await pickIngestSubjects(databaseTarget('cases', { dataDir }));
    const feeds = new Map<FeedName, { feed: GeneratedFeed; seconds: number }>();
    for (const name of args.feeds) {
      const started = performance.now();
      const feed = await generateFeed(name, dir, subjects, records, args.seed);
      const seconds = (performance.now() - started) / 1000;
      feeds.set(name, { feed, seconds });
      console.log(
        `${records} ${name}: generated ${feed.file} (${(feed.bytes / 1048576).toFixed(1)} MiB) in ${seconds.toFixed(1)} s: ${JSON.stringify(feed.kinds)}`,
      );
    }
    const topology = await startEmbedded({ kind: 'sqlite', dir: dataDir });
    const hub = topology.processes[0]!;
    console.log(`hub at ${topology.gatewayUrl} on a copy in ${dataDir}; log ${hub.logFile}`);
    const interrupted = (signal: NodeJS.Signals) => {
      console.error(`bench ingest: ${signal}: stopping the hub it started`);
      void topology.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    const runs: FeedRun[] = [];
    try {
      await settle([hub]);
      const passes = args.resend ? [false, true] : [false];
      for (const [name, again] of args.feeds.flatMap((feed) =>
        passes.map((p) => [feed, p] as const),
      )) {
        const { feed, seconds } = feeds.get(name)!;
        const subject = subjects[name];
        const token = await mintToken(topology.key, { subject: subject.integrationId });
        const sampler = new ProcessSampler([
          { name: 'hub', pid: hub.pid },
          { name: 'client', pid: process.pid },
        ]);
        const series = new RssSeries(hub.pid, 250);
        series.begin();
        sampler.begin();
        let posted: { report: IngestReport; ms: number };
        let usage: ProcessUsage[];
        let samples: RssSample[];
        try {
          posted = await postFeed(topology.gatewayUrl, name, token, feed);
        } finally {
          usage = sampler.end();
          samples = series.end();
        }
        if (hub.child.exitCode !== null || hub.child.signalCode !== null) {
          throw new Error(`the hub exited during the ${name} run:\n${logTail(hub)}`);
        }
        // What the hub still does after answering (events: the responding agencies involved,
        // the statistics), timed until it is idle again.
        const idleFrom = performance.now();
        await settle([hub]);
        const busyAfterSeconds = Math.max(0, (performance.now() - idleFrom) / 1000 - 1);
        const run: FeedRun = {
          size: records,
          feed: name,
          again,
          generated: feed,
          generateSeconds: seconds,
          agency: subject.agency.name,
          report: posted.report,
          seconds: posted.ms / 1000,
          hubCpuPercent: usage[0]!.cpuPercent,
          clientCpuPercent: usage[1]!.cpuPercent,
          peakRssMiB: usage[0]!.peakRssMiB,
          samples,
          busyAfterSeconds,
        };
        runs.push(run);
        const r = posted.report;
        console.log(
          `${records} ${name}${again ? ' (sent again)' : ''}: ${r.received} received in ${run.seconds.toFixed(1)} s (${(r.received / run.seconds).toFixed(0)}/s): ` +
            `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.skipped} skipped, ${r.rejected.length} rejected; ` +
            `hub CPU ${run.hubCpuPercent.toFixed(0)} %, peak RSS ${run.peakRssMiB.toFixed(0)} MiB; busy ${busyAfterSeconds.toFixed(1)} s after`,
        );
        if (r.rejected.length > 0) console.log(rejectionSummary(r));
        if (again && r.unchanged + r.skipped !== r.received) {
          // The same file again must change nothing; anything else is a bug, not a figure.
          throw new Error(
            `${records} ${name} sent again: ${r.created} created and ${r.updated} updated, where every record should be unchanged or skipped`,
          );
        }
      }
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      await topology.stop();
    }
    return runs;
  } finally {
    if (args.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** `bench ingest …`: the ingest benchmark; resolves with the exit code. */
export async function ingestCommand(argv: string[]): Promise<number> {
  let args: IngestArgs;
  try {
    args = parseIngestArgs(argv);
  } catch (error) {
    if (!(error instanceof IngestUsageError)) throw error;
    console.error(`bench ingest: ${error.message}\n${INGEST_USAGE}`);
    return 2;
  }
  const missing = missingDataset('ingest', { kind: 'sqlite', dir: args.datasetDir });
  if (missing) {
    console.error(missing);
    return 2;
  }
  const startedAt = new Date();
  const loadBefore = loadText();
  const counts = await countDataset(datasetTargets({ kind: 'sqlite', dir: args.datasetDir }));
  const sizeName = Object.entries(SIZES).find(
    ([, size]) => size.escalations === counts.escalations && size.boards === counts.boards,
  )?.[0];
  const datasetText = `${sizeName ?? 'custom'} (${counts.escalations.toLocaleString('en-GB')} escalations, ${counts.boards} boards)`;
  console.log(`dataset ${datasetText} in ${args.datasetDir}`);

  const runs: FeedRun[] = [];
  for (const records of args.sizes) runs.push(...(await runSize(args, records)));

  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain']) !== '';
  const rejected = runs.filter((run) => run.report.rejected.length > 0);
  const report = reportMarkdown(runs, {
    title: `## Ingest: embedded hub on SQLite, dataset ${datasetText}, ${startedAt.toISOString().slice(0, 10)}`,
    context: [
      `Command: \`npm run bench -- ingest ${argv.join(' ')}\``,
      `Commit: ${commit || '?'}${dirty ? ' (with uncommitted changes in the working tree)' : ''}; started ${startedAt.toISOString()}`,
      `Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 1048576)} MiB memory; load average ${loadBefore} before, ${loadText()} after (shared and noisy)`,
      `Hub on Node ${process.versions.node}, \`hub start\` (one process, NODE_ENV=production) on a fresh copy of the dataset per size; the feeds posted one after the other, each streamed from its file with its Content-Length, as \`hub ingest\` sends them; seed ${args.seed}`,
    ],
  });
  console.log(`\n${report}`);
  if (rejected.length > 0) {
    console.error(
      `bench ingest: ${rejected.map((run) => `${run.size} ${run.feed}`).join(', ')} had rejected records (above): not a benchmark of ingest, so not appended to the results`,
    );
    return 1;
  }
  if (args.resultsFile) {
    await appendResults(args.resultsFile, report);
    console.log(`appended to ${args.resultsFile}`);
  }
  return 0;
}
