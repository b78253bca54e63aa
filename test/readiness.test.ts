import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedKey, mintToken } from '@hub/gateway';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postGraphQL } from './support/hub.js';
import {
  killAll,
  listeningUrl,
  startProcess,
  userEnvironment,
  type HubProcess,
} from './support/process.js';

/**
 * A script that waits for /readyz and then uses the hub must find it complete: on a fresh data
 * folder the embedded hub seeds the demo after its servers listen, and is not ready until then.
 * A real process, as `npm start` runs it (build first: it runs cli/dist).
 */
const started: HubProcess[] = [];
const dataDirs: string[] = [];

afterEach(() => killAll(started));
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

interface Probe {
  status: number;
  body: Record<string, unknown>;
}

async function probe(url: string): Promise<Probe | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch {
    return null;
  }
}

describe('readiness of the embedded hub on a fresh data folder', () => {
  it('answers 503 "starting" while the demo is seeded, and 200 only once the whole demo is there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-readiness-'));
    dataDirs.push(dataDir);
    const hub = startProcess(
      process.execPath,
      ['cli/dist/main.js', 'start'],
      userEnvironment({
        HUB_DATA_DIR: dataDir,
        HUB_DEMO: '1',
        PORT: '0',
        CASES_PORT: '0',
        ESCALATIONS_PORT: '0',
        PANELS_PORT: '0',
        LEARNING_PORT: '0',
      }),
    );
    started.push(hub);
    // From the moment the gateway listens, as a script polling the port would.
    const url = await listeningUrl(hub, 'gateway listening');
    const readyz = new URL('/readyz', url).href;
    const seen: Probe[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      const answer = await probe(readyz);
      if (answer) seen.push(answer);
      if (answer?.status === 200) break;
      expect(Date.now(), `not ready in time:\n${hub.lines.join('\n')}`).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // What a waiting script sees at the first 200: the whole demo board.
    const key = await loadEmbeddedKey(dataDir);
    expect(key, 'the hub created its signing key').not.toBeNull();
    const admin = await mintToken(key!, { subject: 'admin', admin: true });
    const directory = await postGraphQL(
      url,
      admin,
      /* GraphQL */ `
        {
          boards {
            id
            agencies {
              id
            }
          }
        }
      `,
    );
    expect(directory.errors, JSON.stringify(directory.errors)).toBeUndefined();
    const boards = directory.data!.boards as { id: string; agencies: { id: string }[] }[];
    expect(boards).toHaveLength(1);
    expect(boards[0].agencies).toHaveLength(7);
    const people: { id: string; roles: string[] }[] = [];
    for (const agency of boards[0].agencies) {
      const answer = await postGraphQL(
        url,
        admin,
        /* GraphQL */ `
          query ($id: ID!) {
            practitioners(agencyId: $id) {
              id
              roles
            }
          }
        `,
        { id: agency.id },
      );
      people.push(...(answer.data!.practitioners as { id: string; roles: string[] }[]));
    }
    expect(people).toHaveLength(21);
    const manager = people.find((p) => p.roles.includes('BOARD_MANAGER'));
    expect(manager, 'the demo board manager').toBeDefined();
    const token = await mintToken(key!, { subject: manager!.id });
    const board = await postGraphQL(
      url,
      token,
      /* GraphQL */ `
        query ($board: ID!) {
          cases(boardId: $board, first: 50) {
            totalCount
          }
          escalations(filter: { boardId: $board }, first: 50) {
            totalCount
          }
          overdue: escalations(filter: { boardId: $board, overdue: true }, first: 50) {
            totalCount
          }
          escalationStats(filter: { boardId: $board }) {
            total
          }
        }
      `,
      { board: boards[0].id },
    );
    expect(board.errors, JSON.stringify(board.errors)).toBeUndefined();
    expect(board.data).toEqual({
      cases: { totalCount: 4 },
      // Twenty in the past, eight from the escalations demo, one that the decided panel resolved.
      escalations: { totalCount: 29 },
      overdue: { totalCount: 1 },
      // The statistics, built from events, count all of them already.
      escalationStats: { total: 29 },
    });

    // Before that, it said what it was waiting for, and never anything else.
    expect(seen.length).toBeGreaterThan(1);
    for (const answer of seen.slice(0, -1)) {
      expect(answer).toEqual({
        status: 503,
        body: { status: 'starting', waitingFor: 'demo data' },
      });
    }

    // The banner lists the practitioner who has left, marked.
    await hub.waitFor(/Mike Turner .*\(deactivated\)$/);
    const exit = await hub.stop('SIGTERM');
    expect(exit, hub.lines.slice(-5).join('\n')).toMatchObject({ code: 0 });
  });
});
