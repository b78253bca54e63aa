import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHub, type RunningHub } from '@hub/cli';
import { createTokenVerifier, loadOrCreateEmbeddedKey, mintToken } from '@hub/gateway';
import { createLogger, databaseTarget, newInternalSecret, type DatabaseTarget } from '@hub/kit';
import { SUBGRAPHS, type SubgraphName } from '../dataset/tables.js';
import { appendResults } from './results.file.js';
import { ROOT } from './service.process.js';
import { workloadOperations, type Operation, type OperationData } from './workload.operations.js';
import { countDataset, pickSubjects } from './workload.subjects.js';

export const STATEMENTS_USAGE = `usage: bench statements (--dataset-dir <dir> | --database-url <url>) [--no-results]
  SQL statements each workload operation makes, per subgraph, at list sizes 5, 50, 100 and 500
  (the hub in this process, counting with the kit's QueryCounter.countForRequest)`;

/** The list sizes: the page limit is 100, so 500 shows the refusal. */
export const LIST_SIZES = [5, 50, 100, 500] as const;

export interface StatementCount {
  operation: Operation['name'];
  /** `first:` asked for (the case page has no list size: its case's escalations). */
  size: number | null;
  /** Items in the answer, or the refusal's message. */
  items: number | string;
  perSubgraph: Record<SubgraphName, number>;
  total: number;
}

/**
 * Sends each operation once per list size through the whole hub in this process, each with a
 * correlation id of its own, and counts the SQL statements every subgraph sent for it: the
 * count must not grow with the list (every lookup goes through a DataLoader).
 */
export async function countStatements(
  targets: Record<SubgraphName, DatabaseTarget>,
): Promise<StatementCount[]> {
  const work = mkdtempSync(join(tmpdir(), 'hub-statements-'));
  const key = await loadOrCreateEmbeddedKey(work);
  let hub: RunningHub | undefined;
  try {
    hub = await startHub({
      targets,
      ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
      internalSecret: newInternalSecret(),
      verifier: await createTokenVerifier({}, key),
      supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
      log: createLogger('bench', 'warn'),
      bodyLimit: '1mb',
      maxDepth: 10,
      maxCost: 5000,
    });
    const subjects = await pickSubjects(targets);
    const counts: StatementCount[] = [];
    const send = async (operation: Operation, size: number | null) => {
      const correlationId = `statements-${randomBytes(6).toString('hex')}`;
      const response = await fetch(hub!.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await mintToken(key, { subject: operation.practitionerId })}`,
          'x-correlation-id': correlationId,
        },
        body: JSON.stringify({ query: operation.query, variables: operation.variables }),
      });
      const answer = (await response.json()) as {
        data?: OperationData | null;
        errors?: { message: string }[];
      };
      const perSubgraph = Object.fromEntries(
        SUBGRAPHS.map((name) => [
          name,
          hub!.subgraphs[name].db.queries.countForRequest(correlationId),
        ]),
      ) as Record<SubgraphName, number>;
      const items = answer.errors
        ? answer.errors[0]!.message
        : operation.name === 'case-page'
          ? (answer.data?.case?.escalations?.length ?? 0)
          : (answer.data?.escalations?.edges?.length ?? 0);
      counts.push({
        operation: operation.name,
        size,
        items,
        perSubgraph,
        total: Object.values(perSubgraph).reduce((sum, n) => sum + n, 0),
      });
    };
    await send(workloadOperations(subjects)[0]!, null);
    for (const size of LIST_SIZES) {
      for (const operation of workloadOperations(subjects, size).slice(1)) {
        await send(operation, size);
      }
    }
    return counts;
  } finally {
    await hub?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The counts as a Markdown table. */
export function statementsTable(counts: readonly StatementCount[]): string {
  return [
    '| operation | first | items | cases | escalations | panels | learning | total |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...counts.map(
      (c) =>
        `| ${c.operation} | ${c.size ?? '–'} | ${typeof c.items === 'number' ? c.items : `refused: ${c.items}`} | ${SUBGRAPHS.map((name) => c.perSubgraph[name]).join(' | ')} | ${c.total} |`,
    ),
  ].join('\n');
}

/** `bench statements …`; resolves with the exit code. */
export async function statementsCommand(args: string[]): Promise<number> {
  const dir = args[args.indexOf('--dataset-dir') + 1];
  const url = args[args.indexOf('--database-url') + 1];
  const known = new Set(['--dataset-dir', '--database-url', '--no-results', dir, url]);
  const unknown = args.find((arg) => !known.has(arg));
  if (
    unknown !== undefined ||
    (!args.includes('--dataset-dir') && !args.includes('--database-url'))
  ) {
    console.error(
      `bench statements: ${unknown !== undefined ? `unknown option ${unknown}` : '--dataset-dir or --database-url is required'}\n${STATEMENTS_USAGE}`,
    );
    return 2;
  }
  const settings = args.includes('--dataset-dir')
    ? { dataDir: resolve(dir!) }
    : { dataDir: '', databaseUrl: url! };
  const targets = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, databaseTarget(name, settings)]),
  ) as Record<SubgraphName, DatabaseTarget>;
  const dataset = await countDataset(targets);
  const counts = await countStatements(targets);
  const report = [
    `## SQL statements per workload operation, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `- Command: \`npm run bench -- statements ${args.join(' ')}\`; dataset of ${dataset.escalations.toLocaleString('en-GB')} escalations on ${dataset.boards} boards (${settings.databaseUrl ? 'PostgreSQL' : 'SQLite'})`,
    "- Statements each subgraph sent for one request (the kit's `QueryCounter.countForRequest`, by the request's correlation id); the subgraphs' `/internal` routes (the gateway's actor lookup, the facts one subgraph asks another for) run under no correlation id and are not counted. The list operations at `first:` 5, 50, 100 and 500 (the page limit is 100); the case page once, with every escalation of its case",
    '',
    statementsTable(counts),
    '',
  ].join('\n');
  console.log(report);
  if (!args.includes('--no-results')) {
    await appendResults(join(ROOT, 'bench', 'RESULTS.md'), report);
  }
  return 0;
}
