import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type RunningHub } from '@hub/cli';
import {
  createTokenVerifier,
  loadOrCreateEmbeddedKey,
  mintToken,
  type EmbeddedKey,
} from '@hub/gateway';
import { createLogger, newInternalSecret, type DatabaseTarget } from '@hub/kit';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../dataset/dataset.load.js';
import { sizeSpec } from '../dataset/dataset.spec.js';
import { SUBGRAPHS, type SubgraphName } from '../dataset/tables.js';
import { runLoad } from '../workload/load.runner.js';
import { parseAnalyticsArgs } from './analytics.command.js';
import { BoardEvents } from './analytics.events.js';
import {
  chooseVariants,
  runSequential,
  statsBody,
  StatsAnswerError,
  type StatsTarget,
} from './analytics.runner.js';
import {
  addMonths,
  lastDay,
  pickAnalyticsSubjects,
  type AnalyticsSubjects,
} from './analytics.subjects.js';

/**
 * The analytics harness on a small generated dataset and the real hub in this process: the
 * board, analyst and filters it picks, the answers it measures, and the answers it refuses.
 */
describe('the analytics benchmark on a small dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-analytics-'));
  const targets = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, { kind: 'sqlite', file: join(dir, `${name}.sqlite`) }]),
  ) as Record<SubgraphName, DatabaseTarget>;
  let hub: RunningHub;
  let key: EmbeddedKey;
  let subjects: AnalyticsSubjects;
  let analyst: StatsTarget;
  const learningRows = (query: string, ...params: unknown[]) => {
    const db = new Database(join(dir, 'learning.sqlite'), { readonly: true });
    try {
      return db.prepare(query).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const log = createLogger('test', 'silent');
    await loadDataset({ ...sizeSpec('S'), escalations: 300, boards: 2, years: 2 }, targets, log);
    key = await loadOrCreateEmbeddedKey(join(dir, 'key'));
    hub = await startHub({
      targets,
      ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
      internalSecret: newInternalSecret(),
      verifier: await createTokenVerifier({}, key),
      supergraphSdl: readFileSync(
        new URL('../../../schema/supergraph.graphql', import.meta.url),
        'utf8',
      ),
      log,
      bodyLimit: '1mb',
      maxDepth: 10,
      maxCost: 5000,
    });
    subjects = await pickAnalyticsSubjects(targets);
    analyst = { url: hub.url, token: await mintToken(key, { subject: subjects.analystId }) };
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks the board with the most escalations in the read model, an analyst of it, and whole months', () => {
    const perBoard = learningRows(
      'select board_id, count(*) as n from stats_escalation group by board_id order by n desc',
    );
    expect(subjects.boardId).toBe(perBoard[0]!.board_id);
    expect(subjects.escalations).toBe(perBoard[0]!.n);
    expect(subjects.analystRole).toBe('ANALYST');
    const months = subjects.variants.find((v) => v.name === 'twelve-months')!.candidates[0]!;
    expect(months.filter.from).toMatch(/^\d{4}-\d{2}-01$/);
    expect(months.filter.to).toBe(lastDay(months.filter.to!.slice(0, 7)));
    expect(addMonths(months.filter.from!.slice(0, 7), 11)).toBe(months.filter.to!.slice(0, 7));
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(lastDay('2024-02')).toBe('2024-02-29');
  });

  it('measures latencies from real answers, each with the figures the rows hold', async () => {
    const { chosen } = await chooseVariants(analyst, subjects.variants, 'test-probe');
    const board = chosen.find((v) => v.name === 'board')!;
    expect(board.total).toBe(subjects.escalations);
    for (const variant of chosen) expect(variant.total).toBe(variant.rows);
    const result = await runSequential(analyst, board.filter, {
      requests: 8,
      warmup: 2,
      noncePrefix: 'test-seq',
      expectedTotal: board.total,
    });
    expect(result.requests).toBe(8);
    expect(result.latencies).toHaveLength(8);
    expect(result.latencies.every((ms) => ms > 0)).toBe(true);
    expect(result.p50).toBeLessThanOrEqual(result.p95);
    expect(result.p95).toBeLessThanOrEqual(result.p99);
    expect(result.p99).toBeLessThanOrEqual(result.max);
    expect(result.mean).toBeGreaterThan(0);
    const load = await runLoad(
      {
        url: hub.url,
        body: statsBody(board.filter),
        headers: (nonce) => ({
          authorization: `Bearer ${analyst.token}`,
          'x-correlation-id': nonce,
        }),
      },
      { connections: 2, durationSeconds: 1, noncePrefix: 'test-load' },
    );
    expect(load.requests).toBeGreaterThan(0);
    expect(load.errors, load.firstError ?? '').toBe(0);
  });

  it('rejects an answer with errors, or with other figures than expected', async () => {
    const from = { boardId: subjects.boardId, from: '2025-03-15' };
    await expect(
      runSequential(analyst, from, { requests: 3, warmup: 0, noncePrefix: 't1' }),
    ).rejects.toThrow(/filter\.from/);
    // A practitioner who is no analyst is refused: FORBIDDEN, not figures.
    const staff = new Database(join(dir, 'cases.sqlite'), { readonly: true });
    const practitioner = staff
      .prepare(
        `select id from practitioner where board_id = ? and roles = '["PRACTITIONER"]' limit 1`,
      )
      .get(subjects.boardId) as { id: string };
    staff.close();
    const stranger = { url: hub.url, token: await mintToken(key, { subject: practitioner.id }) };
    await expect(
      runSequential(
        stranger,
        { boardId: subjects.boardId },
        { requests: 1, warmup: 0, noncePrefix: 't2' },
      ),
    ).rejects.toThrow(/FORBIDDEN/);
    await expect(
      runSequential(
        analyst,
        { boardId: subjects.boardId },
        { requests: 2, warmup: 0, noncePrefix: 't3', expectedTotal: subjects.escalations + 1 },
      ),
    ).rejects.toThrow(/answered total \d+, not/);
  });

  it('passes over a filter disclosure control refuses, and fails on any other error', async () => {
    const [small] = learningRows(
      `select category, raising_kind, responding_kind, count(*) as n from stats_escalation
        where board_id = ? group by category, raising_kind, responding_kind having count(*) < 5
        order by n limit 1`,
      subjects.boardId,
    );
    expect(small).toBeDefined();
    const narrow = {
      boardId: subjects.boardId,
      categories: [String(small!.category)],
      raisingAgencyKinds: [String(small!.raising_kind)],
      respondingAgencyKinds: [String(small!.responding_kind)],
    };
    const refusal = await runSequential(analyst, narrow, {
      requests: 1,
      warmup: 0,
      noncePrefix: 't4',
    }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(StatsAnswerError);
    expect((refusal as StatsAnswerError).disclosureRefusal).toBe(true);
    const { chosen, skipped } = await chooseVariants(
      analyst,
      [
        {
          name: 'board',
          candidates: [{ filter: { boardId: subjects.boardId }, rows: subjects.escalations }],
        },
        {
          name: 'category-kind',
          candidates: [
            { filter: narrow, rows: Number(small!.n) },
            { filter: { boardId: subjects.boardId }, rows: subjects.escalations },
          ],
        },
        { name: 'combined', candidates: [{ filter: narrow, rows: Number(small!.n) }] },
      ],
      't5',
    );
    expect(chosen.map((v) => [v.name, v.refused, v.total])).toEqual([
      ['board', 0, subjects.escalations],
      ['category-kind', 1, subjects.escalations],
    ]);
    expect(skipped).toEqual(['combined']);
    await expect(
      chooseVariants(
        analyst,
        [
          {
            name: 'twelve-months',
            candidates: [{ filter: { boardId: subjects.boardId, to: '2025-02-27' }, rows: 0 }],
          },
        ],
        't6',
      ),
    ).rejects.toThrow(/filter\.to/);
  });

  it('with --after-event, asks each time after learning applied a real event for the board', async () => {
    expect(subjects.managerId).toEqual(expect.any(String));
    expect(subjects.escalationIds.length).toBeGreaterThan(0);
    const events = await BoardEvents.open(
      targets.learning,
      { url: hub.url, token: await mintToken(key, { subject: subjects.managerId! }) },
      subjects.boardId,
      subjects.escalationIds,
    );
    try {
      const before = await events.version();
      const board = { boardId: subjects.boardId };
      const moves: number[] = [];
      const result = await runSequential(analyst, board, {
        requests: 4,
        warmup: 0,
        noncePrefix: 'test-after-event',
        expectedTotal: subjects.escalations,
        before: async (label) => {
          const from = await events.version();
          await events.next(label);
          moves.push((await events.version()) - from);
        },
      });
      expect(result.requests).toBe(4);
      // Each request came after the board's version moved: learning had applied the tag.
      expect(moves).toHaveLength(4);
      for (const moved of moves) expect(moved).toBeGreaterThanOrEqual(1);
      expect(await events.version()).toBeGreaterThanOrEqual(before + 4);
      // The tags are real: the first four of the board's escalations carry the first set.
      for (const escalation of subjects.escalationIds.slice(0, 4)) {
        const themes = learningRows(
          'select theme_code from escalation_theme where escalation_id = ?',
          escalation,
        );
        expect(themes.map((row) => row.theme_code)).toEqual(['INFORMATION_SHARING']);
      }
    } finally {
      await events.close();
    }
  });

  it('names the option at fault', () => {
    expect(() => parseAnalyticsArgs(['--dataset-dir', 'x', '--after-event'])).toThrow(
      /--after-event writes to the dataset .*--i-know-it-writes/,
    );
    expect(() => parseAnalyticsArgs(['--dataset-dir', 'x', '--i-know-it-writes'])).toThrow(
      /--i-know-it-writes goes with --after-event/,
    );
    expect(
      parseAnalyticsArgs(['--dataset-dir', 'x', '--after-event', '--i-know-it-writes']).afterEvent,
    ).toBe(true);
    expect(() => parseAnalyticsArgs([])).toThrow(/--dataset-dir or --database-url is required/);
    expect(() => parseAnalyticsArgs(['--dataset-dir', 'x', '--requests', '0'])).toThrow(
      /--requests must be a whole number from 1/,
    );
    expect(() => parseAnalyticsArgs(['--dataset-dir', 'x', '--variants', 'board,weekly'])).toThrow(
      /--variants takes board, twelve-months, category-kind, combined; not weekly/,
    );
    expect(() => parseAnalyticsArgs(['--dataset-dir', 'x', '--topology', 'five'])).toThrow(
      /--database-url/,
    );
    expect(() =>
      parseAnalyticsArgs(['--dataset-dir', 'x', '--results', 'r.md', '--no-results']),
    ).toThrow(/contradict/);
    const args = parseAnalyticsArgs(
      ['--dataset-dir', 'x', '--variants', 'combined,board', '--no-results'],
      '/w',
    );
    expect(args).toMatchObject({
      data: { kind: 'sqlite', dir: '/w/x' },
      requests: 200,
      connections: 10,
      variants: ['board', 'combined'],
      resultsFile: null,
    });
  });
});
