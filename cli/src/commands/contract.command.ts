import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { checkContract, contractOk, formatContractReport } from '../contract/check-contract.js';
import { apiSchemaOf } from './compose.command.js';
import { repoPath } from '../paths.js';

const USAGE = 'usage: hub contract [--contract <path>]';

/** `--contract <path>` or `--contract=<path>`; null when the flag is malformed. */
function contractPath(args: string[]): string | null {
  // The contract lives in a sibling checkout that CI provides; a newcomer's clone has none.
  let path = repoPath('..', 'shared', 'api', 'contract.graphql');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--contract' && args[i + 1]) path = resolve(args[++i]!);
    else if (arg.startsWith('--contract=') && arg.length > '--contract='.length) {
      path = resolve(arg.slice('--contract='.length));
    } else return null;
  }
  return path;
}

/**
 * `hub contract` checks the gateway's API schema (the committed supergraph with @inaccessible
 * elements removed) against the shared public contract. Returns 0 when it holds, 1 when it does
 * not, 2 when it cannot run: bad arguments, or no contract or supergraph file to read.
 */
export async function contractCommand(args: string[]): Promise<number> {
  const path = contractPath(args);
  if (path === null) {
    console.error(USAGE);
    return 2;
  }
  if (!existsSync(path)) {
    console.error(
      `No contract at ${path}. The contract check needs the shared API contract checked out ` +
        `beside this repository (../shared/api/contract.graphql) or a path given with --contract.`,
    );
    return 2;
  }
  const supergraphPath = repoPath('schema', 'supergraph.graphql');
  if (!existsSync(supergraphPath)) {
    console.error(`No supergraph at ${supergraphPath}. Run \`npm run compose\` first.`);
    return 2;
  }
  const apiSchema = apiSchemaOf(readFileSync(supergraphPath, 'utf8'));
  const contract = buildSchema(readFileSync(path, 'utf8'));
  const result = checkContract(apiSchema, contract);
  const report = formatContractReport(result);
  if (contractOk(result)) {
    console.log(report);
    return 0;
  }
  console.error(report);
  return 1;
}
