import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub } from '@hub/cli';
import { createTokenVerifier, loadOrCreateEmbeddedKey, mintToken } from '@hub/gateway';
import {
  createLogger,
  newInternalSecret,
  OutboxEvent,
  verifyAuditChain,
  type DatabaseTarget,
  type HubDatabase,
  type HubEvent,
  type Logger,
} from '@hub/kit';
import { replayLearning } from '@hub/learning';
import { openSubgraphDatabase } from './dataset.load.js';
import { SUBGRAPHS, statsReadModelQuery, type SubgraphName } from './tables.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

type Rows = Record<string, unknown>[];

interface Bucket {
  key: string;
  count: number | null;
}

/** The parts of the gateway's answers the checks read. */
interface Answer {
  me?: { id: string };
  escalations?: { totalCount: number };
  escalationStats?: {
    total: number;
    byCategory: Bucket[];
    byHighestStage: Bucket[];
    stagesWithinTimescaleRate: number | null;
  };
}

/**
 * Checks a loaded dataset the way its users will meet it: every audit chain verifies; replaying
 * the learning read model from the outboxes (what `hub replay learning` does) gives exactly the
 * rows the generator wrote; and the hub started on the databases answers through the gateway, to
 * tokens of generated people, with what the rows say: a board manager's and a practitioner's
 * escalation counts, and an analyst's statistics. Starting the hub lets its overdue scheduler run,
 * as any start would.
 */
export async function verifyDataset(
  targets: Record<SubgraphName, DatabaseTarget>,
  options: { log?: Logger; replay?: boolean } = {},
): Promise<Check[]> {
  const log = options.log ?? createLogger('bench', 'warn');
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const dbs = {} as Record<SubgraphName, HubDatabase>;
  for (const name of SUBGRAPHS)
    dbs[name] = await openSubgraphDatabase(name, targets[name], log, false);
  const sql = (name: SubgraphName, query: string, params: unknown[] = []) =>
    dbs[name].orm.em.getConnection().execute<Rows>(query, params);
  let expected: Awaited<ReturnType<typeof expectations>>;
  try {
    for (const name of SUBGRAPHS) {
      const result = await verifyAuditChain(dbs[name].orm.em.fork());
      check(
        `${name}: audit chain`,
        result.ok,
        result.ok
          ? `${result.entries} entries intact`
          : `broken at ${result.brokenAt}: ${result.reason}`,
      );
    }
    if (options.replay !== false) {
      const before = await sql('learning', statsReadModelQuery());
      const report = await replayLearning(dbs.learning.orm, await outboxEvents(dbs));
      const after = await sql('learning', statsReadModelQuery());
      const same = JSON.stringify(before) === JSON.stringify(after);
      check(
        'learning: replaying the events rebuilds the same read model',
        same && report.escalations === before.length,
        `${report.applied} events, ${report.escalations} rows rebuilt, ${before.length} generated${same ? '' : `; first difference at row ${firstDifference(before, after)}`}`,
      );
    }
    expected = await expectations(sql);
  } finally {
    for (const name of SUBGRAPHS) await dbs[name].close();
  }

  const keyDir = mkdtempSync(join(tmpdir(), 'bench-verify-'));
  const key = await loadOrCreateEmbeddedKey(keyDir);
  const hub = await startHub({
    targets,
    ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
    host: '127.0.0.1',
    internalSecret: newInternalSecret(),
    verifier: await createTokenVerifier({}, key),
    supergraphSdl: readFileSync(
      new URL('../../../schema/supergraph.graphql', import.meta.url),
      'utf8',
    ),
    log,
    bodyLimit: '100kb',
    maxDepth: 10,
    maxCost: 5000,
  });
  try {
    const gql = async (subject: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(hub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await mintToken(key, { subject })}`,
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: Answer; errors?: { message: string }[] };
    };
    const { board, manager, practitioner, analyst } = expected;

    const managerView = await gql(
      manager,
      /* GraphQL */ `
        query ($board: ID!) {
          escalations(filter: { boardId: $board }, first: 1) {
            totalCount
          }
        }
      `,
      { board: board.id },
    );
    const managerCount = managerView.data?.escalations?.totalCount;
    check(
      "board manager sees the board's escalations",
      managerCount === board.escalations,
      `totalCount ${managerCount ?? JSON.stringify(managerView.errors)}, rows ${board.escalations}`,
    );

    const practitionerView = await gql(
      practitioner.id,
      /* GraphQL */ `
        {
          me {
            id
          }
          escalations(first: 1) {
            totalCount
          }
        }
      `,
      {},
    );
    check(
      "a practitioner's token works and sees their agency's escalations",
      practitionerView.data?.me?.id === practitioner.id &&
        practitionerView.data?.escalations?.totalCount === practitioner.escalations,
      `me ${practitionerView.data?.me?.id ?? JSON.stringify(practitionerView.errors)}, totalCount ${practitionerView.data?.escalations?.totalCount}, rows ${practitioner.escalations}`,
    );

    const stats = await gql(
      analyst,
      /* GraphQL */ `
        query ($board: ID!) {
          escalationStats(filter: { boardId: $board }) {
            total
            byCategory {
              key
              count
              suppressed
            }
            byHighestStage {
              key
              count
              suppressed
            }
            stagesWithinTimescaleRate
          }
        }
      `,
      { board: board.id },
    );
    const figures = stats.data?.escalationStats;
    const shown = (buckets: Bucket[], rows: Map<string, number>) =>
      buckets.every((b) => b.count === null || b.count === (rows.get(b.key) ?? 0));
    check(
      "an analyst's escalationStats equal the generated rows",
      figures !== undefined &&
        figures.total === board.escalations &&
        shown(figures.byCategory, board.byCategory) &&
        shown(figures.byHighestStage, board.byHighestStage) &&
        (figures.stagesWithinTimescaleRate === null ||
          Math.abs(figures.stagesWithinTimescaleRate - board.withinRate) < 1e-9),
      figures
        ? `total ${figures.total}, ${figures.byCategory.filter((b) => b.count !== null).length} categories shown, rate ${figures.stagesWithinTimescaleRate} (rows: ${board.escalations}, rate ${board.withinRate})`
        : JSON.stringify(stats.errors),
    );
  } finally {
    await hub.close();
    rmSync(keyDir, { recursive: true, force: true });
  }
  return checks;
}

/** What the rows say the hub should answer, for the largest board and some of its people. */
async function expectations(
  sql: (db: SubgraphName, query: string, params?: unknown[]) => Promise<Rows>,
) {
  const [largest] = await sql(
    'escalations',
    'select board_id, count(*) as n from escalation group by board_id order by count(*) desc, board_id limit 1',
  );
  if (!largest) throw new Error('escalations: no escalation to verify');
  const boardId = String(largest.board_id);
  const person = async (role: string) => {
    const [row] = await sql(
      'cases',
      'select id, agency_id from practitioner where board_id = ? and cast(roles as text) like ? order by id limit 1',
      [boardId, `%"${role}"%`],
    );
    if (!row) throw new Error(`cases: board ${boardId} has no ${role}`);
    return { id: String(row.id), agencyId: String(row.agency_id) };
  };
  const practitioner = await person('PRACTITIONER');
  const count = async (query: string, params: unknown[]) =>
    Number((await sql('escalations', query, params))[0]?.n);
  const grouped = async (query: string) =>
    new Map(
      (await sql('escalations', query, [boardId])).map((row) => [String(row.k), Number(row.n)]),
    );
  const [rate] = await sql(
    'escalations',
    `select sum(case when s.completed_at <= s.due_at then 1 else 0 end) as within, count(*) as n
     from escalation_stage s join escalation e on e.id = s.escalation_id
     where e.board_id = ? and s.completed_at is not null and s.result <> 'WITHDRAWN'`,
    [boardId],
  );
  return {
    board: {
      id: boardId,
      escalations: Number(largest.n),
      byCategory: await grouped(
        'select category as k, count(*) as n from escalation where board_id = ? group by category',
      ),
      byHighestStage: await grouped(
        `select m.k as k, count(*) as n from (select max(s.number) as k from escalation_stage s
         join escalation e on e.id = s.escalation_id where e.board_id = ? group by s.escalation_id) m
         group by m.k`,
      ),
      withinRate: Number(rate?.within) / Number(rate?.n),
    },
    manager: (await person('BOARD_MANAGER')).id,
    analyst: (await person('ANALYST')).id,
    practitioner: {
      id: practitioner.id,
      escalations: await count(
        'select count(*) as n from escalation where raising_agency_id = ? or responding_agency_id = ?',
        [practitioner.agencyId, practitioner.agencyId],
      ),
    },
  };
}

/**
 * Every event of the subgraphs the read model is built from, as `hub replay learning` reads
 * them: the learning database's own first (its connection is the replay's on SQLite), then the
 * escalations' and panels' outboxes a page at a time.
 */
async function outboxEvents(
  dbs: Record<SubgraphName, HubDatabase>,
): Promise<AsyncIterable<HubEvent>> {
  const page = async function* (source: SubgraphName): AsyncGenerator<HubEvent> {
    let after = 0;
    for (;;) {
      const rows = await dbs[source].orm.em
        .fork({ disableContextResolution: true })
        .find(OutboxEvent, { seq: { $gt: after } }, { orderBy: { seq: 'asc' }, limit: 1000 });
      for (const row of rows) {
        yield {
          id: row.id,
          type: row.type,
          source,
          aggregateId: row.aggregateId,
          occurredAt: row.occurredAt.toISOString(),
          payload: row.payload,
        };
      }
      if (rows.length < 1000) return;
      after = rows[rows.length - 1]!.seq;
    }
  };
  const own: HubEvent[] = [];
  for await (const event of page('learning')) own.push(event);
  return (async function* () {
    yield* own;
    yield* page('escalations');
    yield* page('panels');
  })();
}

function firstDifference(a: Rows, b: Rows): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  }
  return -1;
}
