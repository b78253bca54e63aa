#!/usr/bin/env node
/**
 * The `hub` command (api/README.md): start, serve, token, ingest, migrate, audit verify, replay
 * learning, compose, contract.
 * `npm start` and `npm run hub -- <command>` call it after building.
 */
import 'reflect-metadata';
import { ConfigError, isShuttingDown } from '@hub/kit';
import { composeCommand } from './commands/compose.command.js';
import { contractCommand } from './commands/contract.command.js';
import { auditVerifyCommand, migrateCommand } from './commands/database.command.js';
import { ingestCommand } from './commands/ingest.command.js';
import { replayCommand } from './commands/replay.command.js';
import { serveCommand } from './commands/serve.command.js';
import { startCommand } from './commands/start.command.js';
import { tokenCommand } from './commands/token.command.js';
import { loadCliConfig, loadIngestConfig } from './config.js';

const USAGE = `usage: hub <command>   (hub --help: this list)
  start                                  the embedded hub (what \`npm start\` runs)
  serve <gateway|cases|escalations|panels|learning>
                                         run one service alone, configured by environment
  token (--admin | --practitioner <id>) [--ttl 8h]
                                         print a bearer token from the embedded key
  ingest --plugin <name> <file> [--content-type <type>] [--url <url>] [--token <token>]
                                         send an agency system's file to the running hub
  migrate                                run pending migrations of every subgraph
  audit verify                           check every subgraph's audit hash chain
  replay learning                        rebuild the learning statistics from the domain events
  compose [--check]                      print subgraph schemas and compose the supergraph
  contract [--contract <path>]           check the API against the shared contract`;

/** Commands that take no arguments: one given by mistake (`migrate --dry-run`) must not run them. */
const NO_ARGUMENTS = new Set(['start', 'migrate']);

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  // Asked for help anywhere: the usage, and nothing started, migrated or read.
  if (argv.some((arg) => arg === '--help' || arg === '-h') || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command !== undefined && NO_ARGUMENTS.has(command) && args.length > 0) {
    console.error(`hub ${command} takes no arguments (given: ${args.join(' ')}).\n${USAGE}`);
    return 2;
  }
  // Schema commands need no environment; the rest read it once, here.
  if (command === 'compose') return composeCommand(args);
  if (command === 'contract') return contractCommand(args);
  // A service reads only its own configuration.
  if (command === 'serve') return serveCommand(args);
  // A client of a running hub: where it is and the token, nothing of the hub's own settings.
  if (command === 'ingest') return ingestCommand(args, loadIngestConfig());
  const config = loadCliConfig();
  switch (command) {
    case 'start':
      return startCommand(config);
    case 'token':
      return tokenCommand(args, config);
    case 'migrate':
      return migrateCommand(config);
    case 'audit':
      if (args.length === 1 && args[0] === 'verify') return auditVerifyCommand(config);
      break;
    case 'replay':
      return replayCommand(args, config);
  }
  console.error(USAGE);
  return 2;
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    // Stopped while starting: the parts closed under the start, and the shutdown sets the exit.
    if (isShuttingDown()) return;
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
