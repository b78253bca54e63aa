import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createActorLoader, mintToken } from '@hub/gateway';
import { databaseTarget, secretKey, type Actor, type DatabaseTarget } from '@hub/kit';
import { SIZES } from '../dataset/dataset.spec.js';
import { SUBGRAPHS, type SubgraphName } from '../dataset/tables.js';
import { actorHeaderSigner } from './actor.signer.js';
import { startHiveGateway, type RunningHiveGateway } from './hive.gateway.js';
import {
  missingDataset,
  startEmbedded,
  startFive,
  type DataSource,
  type RunningTopology,
} from './hub.topology.js';
import { runLoad, type LoadTarget } from './load.runner.js';
import { recordPlans, type RecordedOperation } from './plan.recorder.js';
import { appendResults } from './results.file.js';
import { cpuTicks, ProcessSampler, type WatchedProcess } from './process.sampler.js';
import { logTail, ROOT, type ServiceProcess } from './service.process.js';
import {
  parseWorkloadArgs,
  WORKLOAD_USAGE,
  WorkloadUsageError,
  type WorkloadArgs,
} from './workload.args.js';
import {
  workloadOperations,
  type Operation,
  type OperationData,
  type OperationName,
} from './workload.operations.js';
import {
  combineCalls,
  LOAD_GENERATOR,
  markdownTable,
  summarise,
  TARGET_TITLES,
  turnOrder,
  type TargetName,
  type TargetRun,
} from './workload.report.js';
import { countDataset, pickSubjects } from './workload.subjects.js';

export { WORKLOAD_USAGE };

const watched = (processes: readonly ServiceProcess[]): WatchedProcess[] => [
  ...processes.map(({ name, pid }) => ({ name, pid })),
  { name: LOAD_GENERATOR, pid: process.pid },
];

/** Each subgraph's database where the hub looks for it with these settings. */
export function datasetTargets(data: DataSource): Record<SubgraphName, DatabaseTarget> {
  const settings =
    data.kind === 'sqlite' ? { dataDir: data.dir } : { dataDir: '', databaseUrl: data.url };
  return Object.fromEntries(
    SUBGRAPHS.map((name) => [name, databaseTarget(name, settings)]),
  ) as Record<SubgraphName, DatabaseTarget>;
}

/**
 * Waits until every process is nearly idle (under 5 % of a core for a second), at most a
 * minute: a hub just started on a dataset may still be catching up (the overdue scan, events).
 */
export async function settle(processes: readonly WatchedProcess[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = processes.map((p) => cpuTicks(p.pid));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = processes.some((p, i) => cpuTicks(p.pid) - before[i]! > 5);
    if (!busy) return;
  }
}

export function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function packageVersion(name: string, root = ROOT): string {
  try {
    const file = join(root, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export const loadText = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

interface Measured {
  run: TargetRun;
  firstError: string | null;
}

/** Warms up, then measures one target while sampling the processes. */
async function measure(
  target: LoadTarget,
  processes: readonly WatchedProcess[],
  args: Pick<WorkloadArgs, 'connections'>,
  seconds: { warmup: number; duration: number },
  label: string,
): Promise<Measured> {
  const prefix = `wl-${label}-${randomBytes(3).toString('hex')}`;
  if (seconds.warmup > 0) {
    await runLoad(target, {
      connections: args.connections,
      durationSeconds: seconds.warmup,
      noncePrefix: `${prefix}-w`,
    });
  }
  const sampler = new ProcessSampler(processes);
  sampler.begin();
  const load = await runLoad(target, {
    connections: args.connections,
    durationSeconds: seconds.duration,
    noncePrefix: prefix,
  });
  const usage = sampler.end();
  const { firstError, ...figures } = load;
  return { run: { load: figures, usage }, firstError };
}

/** `bench workload …`: runs the front-end workload benchmark; resolves with the exit code. */
export async function workloadCommand(argv: string[]): Promise<number> {
  let args: WorkloadArgs;
  try {
    args = parseWorkloadArgs(argv);
  } catch (error) {
    if (!(error instanceof WorkloadUsageError)) throw error;
    console.error(`bench workload: ${error.message}\n${WORKLOAD_USAGE}`);
    return 2;
  }
  const missing = missingDataset('workload', args.data);
  if (missing) {
    console.error(missing);
    return 2;
  }
  const startedAt = new Date();
  const loadBefore = loadText();
  const targets = datasetTargets(args.data);
  const counts = await countDataset(targets);
  const sizeName = Object.entries(SIZES).find(
    ([, size]) => size.escalations === counts.escalations && size.boards === counts.boards,
  )?.[0];
  const datasetText = `${sizeName ?? 'custom'} (${counts.escalations.toLocaleString('en-GB')} escalations, ${counts.boards} boards)`;
  const subjects = await pickSubjects(targets);
  console.log(`dataset ${datasetText}; picked:`, JSON.stringify(subjects));

  const topology: RunningTopology =
    args.topology === 'embedded'
      ? await startEmbedded(args.data)
      : await startFive((args.data as { url: string }).url, args.natsUrl);
  console.log(`hub (${args.topology}) at ${topology.gatewayUrl}; logs in ${topology.workDir}`);
  let hive: RunningHiveGateway | null = null;
  // Ctrl-C stops the servers this command started rather than leaving them running.
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`bench workload: ${signal}: stopping the servers it started`);
    void Promise.all([hive?.process.stop(), topology.stop()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const operations = workloadOperations(subjects).filter((op) =>
      args.operations.includes(op.name),
    );
    const tokens = new Map<string, string>();
    const tokenFor = async (id: string) => {
      if (!tokens.has(id)) tokens.set(id, await mintToken(topology.key, { subject: id }));
      return tokens.get(id)!;
    };
    // The actors as the hub's gateway loads them, for Hive Gateway and the direct requests.
    const loadActor = createActorLoader({
      casesUrl: topology.subgraphUrls.cases,
      actorKey: secretKey(topology.internalSecret),
    });
    const actors: Record<string, Actor> = {};
    for (const { practitionerId } of operations) {
      const actor = await loadActor(
        { subject: practitionerId, admin: false },
        { correlationId: 'bench-setup', ip: null },
      );
      if (!actor) throw new Error(`practitioner ${practitionerId} is not an active practitioner`);
      actors[practitionerId] = actor;
    }
    const plans = await recordPlans(
      {
        supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
        subgraphUrls: topology.subgraphUrls,
        internalSecret: topology.internalSecret,
        key: topology.key,
        tokenFor,
      },
      operations,
    );
    for (const operation of operations) {
      const calls = plans.get(operation.name)!.calls;
      console.log(
        `${operation.name}: the query plan sends ${calls.map((c) => `${c.subgraph}${c.times > 1 ? ` x${c.times}` : ''}`).join(', ')}`,
      );
    }
    if (args.targets.includes('hive')) {
      hive = await startHiveGateway({
        subgraphUrls: topology.subgraphUrls,
        internalSecret: topology.internalSecret,
        actors,
        logFile: join(topology.workDir, 'hive.log'),
      });
      console.log(`Hive Gateway on Node ${hive.nodeVersion} at ${hive.url}`);
      for (const operation of operations)
        await probe(hive.url, operation, await tokenFor(operation.practitionerId));
    }
    const sign = actorHeaderSigner(topology.internalSecret);
    const allProcesses = [...topology.processes, ...(hive ? [hive.process] : [])];
    await settle(allProcesses);

    const seconds = { warmup: args.warmupSeconds, duration: args.durationSeconds };
    const results = new Map<OperationName, Map<TargetName, TargetRun[]>>();
    for (let run = 1; run <= args.runs; run += 1) {
      for (const operation of operations) {
        const body = JSON.stringify({ query: operation.query, variables: operation.variables });
        const token = await tokenFor(operation.practitionerId);
        const viaGateway = (url: string): LoadTarget => ({
          url,
          body,
          headers: (nonce) => ({ authorization: `Bearer ${token}`, 'x-correlation-id': nonce }),
        });
        const byTarget = results.get(operation.name) ?? new Map<TargetName, TargetRun[]>();
        results.set(operation.name, byTarget);
        for (const target of turnOrder(args.targets, run)) {
          const label = `${run}-${operation.name}-${target}`;
          let measured: Measured;
          if (target === 'ours') {
            measured = await measure(
              viaGateway(topology.gatewayUrl),
              watched(topology.processes),
              args,
              seconds,
              label,
            );
          } else if (target === 'hive') {
            measured = await measure(
              viaGateway(hive!.url),
              watched([hive!.process, ...topology.subgraphProcesses]),
              args,
              seconds,
              label,
            );
          } else {
            measured = await measureDirect(
              plans.get(operation.name)!,
              actors[operation.practitionerId]!,
              sign,
              watched(topology.subgraphProcesses),
              args,
              label,
            );
          }
          // A hub process that died invalidates the run: say which, with its last log lines.
          const dead = allProcesses.find(
            (p) => p.child.exitCode !== null || p.child.signalCode !== null,
          );
          if (dead) throw new Error(`${dead.name} exited during the run:\n${logTail(dead)}`);
          const list = byTarget.get(target) ?? [];
          list.push(measured.run);
          byTarget.set(target, list);
          const { load } = measured.run;
          console.log(
            `run ${run} ${operation.name} ${target}: ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, ${load.errors} errors` +
              (measured.firstError ? ` (first: ${measured.firstError.slice(0, 200)})` : ''),
          );
        }
      }
    }

    const sections: string[] = [];
    for (const operation of operations) {
      const byTarget = results.get(operation.name)!;
      const ours = byTarget.get('ours');
      const summaries = args.targets.map((target) =>
        summarise(target, byTarget.get(target)!, ours),
      );
      sections.push(`### ${operation.title}\n\n${markdownTable(summaries)}`);
    }
    const commit = git(['rev-parse', '--short', 'HEAD']);
    const dirty = git(['status', '--porcelain']) !== '';
    const report = [
      `## Workload: ${args.topology === 'embedded' ? 'embedded hub (one process)' : 'five processes'} on ${args.data.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, dataset ${datasetText}, ${startedAt.toISOString().slice(0, 10)}`,
      '',
      `- Command: \`npm run bench -- workload ${argv.join(' ')}\``,
      `- Commit: ${commit || '?'}${dirty ? ' (with uncommitted changes in the working tree)' : ''}; started ${startedAt.toISOString()}`,
      `- Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 1048576)} MiB memory; load average ${loadBefore} before, ${loadText()} after (shared and noisy: compare the ratios, measured side by side in each run)`,
      `- ${args.connections} connections, ${args.durationSeconds} s measured after ${args.warmupSeconds} s of warm-up, per operation and target, ${args.runs} run(s) interleaved, each run starting with the next target in turn; figures are medians over runs (peak RSS the largest, errors summed); ratios are medians of each run's ratio to the hub gateway`,
      `- Hub on Node ${process.versions.node}${hive ? `; Hive Gateway ${packageVersion('@graphql-hive/gateway', join(ROOT, 'bench', 'hive'))} on Node ${hive.nodeVersion.replace(/^v/, '')}` : ''}; autocannon ${packageVersion('autocannon')}; every request unique (its own correlation id, so its own signed actor header)`,
      `- Subjects: case ${subjects.casePage.caseId} read by practitioner ${subjects.casePage.practitionerId}; list read by practitioner ${subjects.escalationList.practitionerId} (${subjects.escalationList.visible} escalations visible); overdue list of board ${subjects.overdueList.boardId} (${subjects.overdueList.overdue} overdue) read by board manager ${subjects.overdueList.managerId}`,
      `- ${TARGET_TITLES.direct}: the subgraph requests of the hub's query plan, each measured alone at the same concurrency and added up (bench/README.md)`,
      '',
      ...sections.flatMap((section) => [section, '']),
    ].join('\n');
    console.log(`\n${report}`);
    if (args.resultsFile) {
      await appendResults(args.resultsFile, report);
      console.log(`appended to ${args.resultsFile}`);
    }
    return 0;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await hive?.process.stop();
    await topology.stop();
  }
}

/** One request through a gateway, checked as the plan recording checks ours. */
async function probe(url: string, operation: Operation, token: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: operation.query, variables: operation.variables }),
  });
  const answer = (await response.json()) as { data?: OperationData; errors?: unknown };
  if (answer.errors || !answer.data) {
    throw new Error(`${url}: ${operation.name} answered errors: ${JSON.stringify(answer.errors)}`);
  }
  const problem = operation.check(answer.data);
  if (problem) throw new Error(`${url}: ${operation.name}: ${problem}`);
}

/**
 * The subgraph requests of the operation's query plan, each sent straight to its subgraph with
 * a freshly signed actor header per request, measured one after another, and added up. Each
 * gets an equal share of the duration (at least 5 s) and of the warm-up (at least 2 s).
 */
async function measureDirect(
  plan: RecordedOperation,
  actor: Actor,
  sign: ReturnType<typeof actorHeaderSigner>,
  processes: readonly WatchedProcess[],
  args: WorkloadArgs,
  label: string,
): Promise<Measured> {
  const share = plan.calls.length;
  const seconds = {
    duration: Math.max(5, Math.round(args.durationSeconds / share)),
    warmup: args.warmupSeconds === 0 ? 0 : Math.max(2, Math.round(args.warmupSeconds / share)),
  };
  const parts: { times: number; run: TargetRun }[] = [];
  let firstError: string | null = null;
  for (const [i, call] of plan.calls.entries()) {
    const measured = await measure(
      {
        url: call.url,
        body: call.body,
        headers: (nonce) => ({ 'x-hub-actor': sign(actor, nonce), 'x-correlation-id': nonce }),
      },
      processes,
      args,
      seconds,
      `${label}-${i}`,
    );
    firstError ??= measured.firstError;
    parts.push({ times: call.times, run: measured.run });
  }
  return { run: combineCalls(parts), firstError };
}
