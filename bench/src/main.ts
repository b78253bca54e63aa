#!/usr/bin/env node
/**
 * `npm run bench -- <command>`: the benchmarks' entry point. Timings are printed and recorded in
 * bench/RESULTS.md by hand, never asserted.
 */
import 'reflect-metadata';
import { DATASET_USAGE, datasetCommand } from './dataset/dataset.command.js';
import { STATEMENTS_USAGE, statementsCommand } from './workload/statements.command.js';
import { WORKLOAD_USAGE, workloadCommand } from './workload/workload.command.js';

const USAGE = `usage: npm run bench -- <command>
  dataset    generate the benchmark dataset and bulk-load it into SQLite or PostgreSQL
  workload   the front-end workload through the hub's gateway, Hive Gateway and the subgraphs
  statements SQL statements per workload operation at list sizes 5, 50, 100 and 500

${DATASET_USAGE}

${WORKLOAD_USAGE}

${STATEMENTS_USAGE}`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'dataset') return datasetCommand(rest);
  if (command === 'workload') return workloadCommand(rest);
  if (command === 'statements') return statementsCommand(rest);
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
