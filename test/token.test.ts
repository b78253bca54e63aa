import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedKey, mintToken } from '@hub/gateway';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  killAll,
  ROOT,
  startProcess,
  userEnvironment,
  type HubProcess,
} from './support/process.js';

/**
 * `npm run token` as a user runs it: the built command, in its own process, against the data
 * folder of an embedded hub that is running (started once, with the demo, for every case).
 */
const dirs: string[] = [];
let hub: HubProcess | undefined;
let dataDir: string;
let url: string;
const ids: { jo: string; chris: string } = { jo: '', chris: '' };

function temporaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-token-'));
  dirs.push(dir);
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function token(args: string[], dir = dataDir): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['cli/dist/main.js', 'token', ...args],
      { cwd: ROOT, env: userEnvironment({ HUB_DATA_DIR: dir }) as NodeJS.ProcessEnv },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function gql(bearer: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** The id in the row of the start banner's practitioner table that names `name`. */
async function idFromBanner(name: string): Promise<string> {
  const row = await hub!.waitFor(new RegExp(`^\\s+[0-9a-f-]{36}\\s+${name}`));
  return /[0-9a-f-]{36}/.exec(row)![0];
}

beforeAll(async () => {
  dataDir = temporaryDir();
  hub = startProcess(
    process.execPath,
    ['cli/dist/main.js', 'start'],
    userEnvironment({
      HUB_DATA_DIR: dataDir,
      PORT: '0',
      CASES_PORT: '0',
      ESCALATIONS_PORT: '0',
      PANELS_PORT: '0',
      LEARNING_PORT: '0',
      HUB_DEMO: '1',
    }),
  );
  url = /GraphQL: +(http\S+)/.exec(await hub.waitFor(/GraphQL: +(http\S+)/))![1]!;
  ids.jo = await idFromBanner('Jo Patel');
  ids.chris = await idFromBanner('Chris Doyle');
});

afterAll(async () => {
  if (hub && hub.child.exitCode === null) await hub.stop('SIGTERM');
  if (hub) killAll([hub]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('hub token mints', () => {
  it('a working-day token for an active practitioner, alone on stdout, that the hub accepts', async () => {
    const run = await token(['--practitioner', ids.jo]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(run.stderr).toContain('Jo Patel (social worker)');
    const claims = decodeJwt(run.stdout.trim());
    expect(claims.sub).toBe(ids.jo);
    expect(claims.exp! - claims.iat!).toBe(10 * 3600);

    const me = await gql(run.stdout.trim(), '{ me { name } }');
    expect(me.body).toEqual({ data: { me: { name: 'Jo Patel (social worker)' } } });
  });

  it('an administrator token living --ttl', async () => {
    const run = await token(['--admin', '--ttl', '30m']);
    expect(run.code, run.stderr).toBe(0);
    const claims = decodeJwt(run.stdout.trim());
    expect(claims).toMatchObject({ sub: 'admin', hub_admin: true });
    expect(claims.exp! - claims.iat!).toBe(30 * 60);
    const boards = await gql(run.stdout.trim(), '{ boards { name } }');
    expect(boards.body.data.boards).toHaveLength(1);
  });
});

describe('hub token refuses, with exit 1 and nothing on stdout,', () => {
  it('a practitioner id that is not in the directory, saying where it looked', async () => {
    const stranger = randomUUID();
    const run = await token(['--practitioner', stranger]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(
      `No practitioner with id ${stranger} in the directory at ${join(dataDir, 'cases.sqlite')}`,
    );
  });

  it('a name where the id belongs, pointing at the ids `npm start` prints', async () => {
    const run = await token(['--practitioner', 'jo']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/"jo" is not a practitioner id: ids are UUIDs/);
    expect(run.stderr).toContain('`npm start` prints every practitioner');
  });

  it('a deactivated practitioner', async () => {
    // An administrator deactivates Chris Doyle through the hub, as the README shows.
    const admin = await mintToken((await loadEmbeddedKey(dataDir))!, { admin: true });
    const deactivated = await gql(
      admin,
      /* GraphQL */ `
        mutation ($id: ID!) {
          setPractitionerActive(id: $id, active: false) {
            active
          }
        }
      `,
      { id: ids.chris },
    );
    expect(deactivated.body).toEqual({ data: { setPractitionerActive: { active: false } } });

    const run = await token(['--practitioner', ids.chris]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(
      `Chris Doyle (family support worker) (${ids.chris}) is deactivated in the directory at ` +
        join(dataDir, 'cases.sqlite'),
    );
  });

  it('a lifetime above the ceiling the gateway enforces', async () => {
    const run = await token(['--practitioner', ids.jo, '--ttl', '30d']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('--ttl 30d is longer than a token may live (7d)');
  });

  it('a data folder where no hub has run, saying where it looked, creating nothing', async () => {
    const empty = temporaryDir();
    const run = await token(['--practitioner', ids.jo], empty);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(`No signing key at ${join(empty, 'jwt-key.json')}`);
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('hub token answers a command line it does not take', () => {
  it('with its usage and exit 2', async () => {
    // Each run starts the whole command (a few seconds): two cover both ways in.
    for (const args of [
      ['--admin', '--practitioner', ids.jo],
      ['--admin', '--ttl', '8 hours'],
    ]) {
      const run = await token(args);
      expect(run, args.join(' ')).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toContain('usage: hub token (--admin | --practitioner <id>)');
    }
  });
});
