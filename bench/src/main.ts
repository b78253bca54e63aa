#!/usr/bin/env node
/**
 * `npm run bench -- <command>`: the benchmarks' entry point. Timings are printed and recorded in
 * bench/RESULTS.md by hand, never asserted.
 */
import 'reflect-metadata';
import { ANALYTICS_USAGE, analyticsCommand } from './analytics/analytics.command.js';
import { DATASET_USAGE, datasetCommand } from './dataset/dataset.command.js';
import { INGEST_USAGE, ingestCommand } from './ingest/ingest.command.js';
import { STATEMENTS_USAGE, statementsCommand } from './workload/statements.command.js';
import { WORKLOAD_USAGE, workloadCommand } from './workload/workload.command.js';
import { WRITES_USAGE, writesCommand } from './writes/writes.command.js';

const USAGE = `usage: npm run bench -- <command>
  dataset    generate the benchmark dataset and bulk-load it into SQLite or PostgreSQL
  workload   the front-end workload through the hub's gateway, Hive Gateway and the subgraphs
  statements SQL statements per workload operation at list sizes 5, 50, 100 and 500
  analytics  escalationStats through the hub's gateway, per filter, one client and several
  writes     raise and escalate escalations with concurrent clients, then check references and events
  ingest     a FHIR bundle and a safeguarding-log CSV through POST /ingest/{plugin}: records/s, CPU, RSS

${DATASET_USAGE}

${WORKLOAD_USAGE}

${STATEMENTS_USAGE}

${ANALYTICS_USAGE}

${WRITES_USAGE}

${INGEST_USAGE}`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'dataset') return datasetCommand(rest);
  if (command === 'workload') return workloadCommand(rest);
  if (command === 'statements') return statementsCommand(rest);
  if (command === 'analytics') return analyticsCommand(rest);
  if (command === 'writes') return writesCommand(rest);
  if (command === 'ingest') return ingestCommand(rest);
  console.error(command ? `unknown command ${command}\n${USAGE}` : USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
