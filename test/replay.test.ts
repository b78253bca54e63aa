import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedKey, mintToken } from '@hub/gateway';
import { learningSubgraph } from '@hub/learning';
import {
  createLogger,
  KIT_ENTITIES,
  kitMigration,
  openDatabase,
  type DatabaseTarget,
} from '@hub/kit';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from './support/config.js';
import { databaseKinds } from './support/databases.js';
import { postGraphQL } from './support/hub.js';
import { STATS } from './support/learning.js';
import { killAll, startProcess, userEnvironment, type HubProcess } from './support/process.js';

/**
 * `hub replay learning` as a user runs it: against the embedded hub's data folder (or its
 * PostgreSQL database), with the hub stopped, from the built command (build first: it runs
 * cli/dist).
 */
const started: HubProcess[] = [];
const dataDirs: string[] = [];

afterEach(() => killAll(started));
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function environment(dataDir: string, databaseUrl?: string) {
  return userEnvironment({
    HUB_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    HUB_DEMO: '1',
    PORT: '0',
    CASES_PORT: '0',
    ESCALATIONS_PORT: '0',
    PANELS_PORT: '0',
    LEARNING_PORT: '0',
  });
}

/** Runs `node cli/dist/main.js …args` to its end. */
async function hub(args: string[], dataDir: string, databaseUrl?: string) {
  const command = startProcess(
    process.execPath,
    ['cli/dist/main.js', ...args],
    environment(dataDir, databaseUrl),
  );
  started.push(command);
  const { code } = await command.exited;
  return { code, output: command.lines.join('\n') };
}

/** Starts the embedded hub and resolves with its URL once it is ready (the banner is printed). */
async function startHub(
  dataDir: string,
  databaseUrl?: string,
): Promise<{ url: string; process: HubProcess }> {
  const running = startProcess(
    process.execPath,
    ['cli/dist/main.js', 'start'],
    environment(dataDir, databaseUrl),
  );
  started.push(running);
  const line = await running.waitFor(/GraphQL: +(http\S+)/, 90_000);
  return { url: /GraphQL: +(http\S+)/.exec(line)![1]!, process: running };
}

/**
 * A database of its own for one embedded hub on PostgreSQL (it keeps each subgraph in a schema
 * named after it, so two hubs cannot share one database).
 */
async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hub_replay_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(testDatabaseUrl!);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

const databases: { drop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

describe.each(databaseKinds)('hub replay learning on %s', (kind) => {
  it('rebuilds the statistics read model from the events: the same figures as before', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-replay-'));
    dataDirs.push(dataDir);
    const database = kind === 'postgres' ? await freshPostgresDatabase() : null;
    if (database) databases.push(database);
    const first = await startHub(dataDir, database?.url);

    // The analyst's token, as a user gets it: the id from the directory, the token command.
    const tokenOf = (output: string) => /^ey[\w-]+\.[\w-]+\.[\w-]+$/m.exec(output)![0];
    const admin = await mintToken((await loadEmbeddedKey(dataDir))!, {
      subject: 'admin',
      admin: true,
    });
    const boards = await postGraphQL(first.url, admin, '{ boards { id agencies { id } } }');
    const board = boards.data!.boards[0] as { id: string; agencies: { id: string }[] };
    let analystId: string | undefined;
    for (const agency of board.agencies) {
      const { data } = await postGraphQL(
        first.url,
        admin,
        'query ($id: ID!) { practitioners(agencyId: $id) { id roles } }',
        { id: agency.id },
      );
      const people = data!.practitioners as { id: string; roles: string[] }[];
      analystId ??= people.find((p) => p.roles.includes('ANALYST'))?.id;
    }
    const minted = await hub(['token', '--practitioner', analystId!], dataDir, database?.url);
    expect(minted.code, minted.output).toBe(0);
    const analyst = tokenOf(minted.output);

    const before = await postGraphQL(first.url, analyst, STATS, {
      filter: { boardId: board.id },
    });
    expect(before.errors, JSON.stringify(before.errors)).toBeUndefined();
    expect(before.data!.escalationStats.total).toBeGreaterThan(0);
    expect(await first.process.stop('SIGTERM')).toMatchObject({ code: 0 });

    // Spoil the read model behind the hub's back: only a rebuild puts it right.
    const target: DatabaseTarget = database
      ? { kind: 'postgres', url: database.url, schema: 'learning' }
      : { kind: 'sqlite', file: join(dataDir, 'learning.sqlite') };
    const learning = await openDatabase({
      target,
      entities: [...KIT_ENTITIES, ...learningSubgraph.entities],
      migrations: [kitMigration, ...learningSubgraph.migrations],
      log: createLogger('test', 'silent'),
      migrate: false,
    });
    try {
      await learning.orm.em
        .getConnection()
        .execute('update stats_escalation set highest_stage = 99, theme_mask = 0');
    } finally {
      await learning.close();
    }

    const replay = await hub(['replay', 'learning'], dataDir, database?.url);
    expect(replay.code, replay.output).toBe(0);
    expect(replay.output).toMatch(
      new RegExp(
        `read model rebuilt from \\d+ events: ${before.data!.escalationStats.total} escalations`,
      ),
    );

    const second = await startHub(dataDir, database?.url);
    const after = await postGraphQL(second.url, analyst, STATS, {
      filter: { boardId: board.id },
    });
    expect(after.errors, JSON.stringify(after.errors)).toBeUndefined();
    expect(after.data).toEqual(before.data);
    expect(await second.process.stop('SIGTERM')).toMatchObject({ code: 0 });
  }, 120_000);
});

describe('hub replay learning', () => {
  it('says how it is used when the command line is wrong (exit 2)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-replay-'));
    dataDirs.push(dataDir);
    for (const args of [['replay'], ['replay', 'learning', 'now']]) {
      const answer = await hub(args, dataDir);
      expect(answer.code, args.join(' ')).toBe(2);
      expect(answer.output).toContain('usage: hub replay learning');
    }
  });

  it('says there is nothing to replay before the hub has ever started (exit 1)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-replay-'));
    dataDirs.push(dataDir);
    const answer = await hub(['replay', 'learning'], dataDir);
    expect(answer.code, answer.output).toBe(1);
    expect(answer.output).toMatch(/no database at .*\.sqlite; start the hub first/);
    expect(answer.output).not.toMatch(/\n\s+at /);
  });
});
