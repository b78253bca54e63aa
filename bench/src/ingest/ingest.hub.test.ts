import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type RunningHub } from '@hub/cli';
import { createTokenVerifier, loadOrCreateEmbeddedKey, mintToken } from '@hub/gateway';
import { createLogger, newInternalSecret, type DatabaseTarget } from '@hub/kit';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../dataset/dataset.load.js';
import { sizeSpec } from '../dataset/dataset.spec.js';
import { SUBGRAPHS, type SubgraphName } from '../dataset/tables.js';
import { generateFeed } from './ingest.command.js';
import { postFeed } from './ingest.post.js';
import { pickIngestSubjects, type IngestSubjects } from './ingest.subjects.js';
import { RssSeries, rssAt } from './rss.series.js';

/**
 * The benchmark's feeds through the real hub in this process, on a small generated dataset: the
 * senders picked by SQL, 150 records of each feed posted to `POST /ingest/{plugin}` with the
 * integration account's token, every record accepted, and the escalations they raise written.
 */
describe('the ingest benchmark on a small dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const targets = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, { kind: 'sqlite', file: join(dir, `${name}.sqlite`) }]),
  ) as Record<SubgraphName, DatabaseTarget>;
  let hub: RunningHub;
  let subjects: IngestSubjects;
  let gatewayUrl: string;
  let tokenFor: (id: string) => Promise<string>;
  const escalations = () => {
    const db = new Database(join(dir, 'escalations.sqlite'));
    try {
      return (db.prepare('select count(*) as n from escalation').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const log = createLogger('test', 'silent');
    await loadDataset({ ...sizeSpec('S'), escalations: 120, boards: 1, years: 1 }, targets, log);
    subjects = await pickIngestSubjects(targets.cases);
    const key = await loadOrCreateEmbeddedKey(join(dir, 'key'));
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
    gatewayUrl = `http://127.0.0.1:${hub.gatewayPort}/graphql`;
    tokenFor = (id) => mintToken(key, { subject: id });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks a health trust and a school of one board, each with its integration account, partners and known children', () => {
    expect(subjects.health.agency.kind).toBe('HEALTH');
    expect(subjects.education.agency.kind).toBe('EDUCATION');
    expect(subjects.education.boardId).toBe(subjects.health.boardId);
    for (const feed of [subjects.health, subjects.education]) {
      expect(feed.agency.emails.length).toBeGreaterThan(0);
      expect(feed.partners.map((p) => p.kind)).toContain('CHILDRENS_SOCIAL_CARE');
      expect(feed.partners.map((p) => p.id)).not.toContain(feed.agency.id);
      expect(feed.knownChildren.length).toBeGreaterThan(0);
    }
  });

  it.each(['health', 'education'] as const)(
    'posts 150 %s records to the hub: none rejected, and its disagreements raised as escalations',
    async (name) => {
      const feed = await generateFeed(name, dir, subjects, 150, 5);
      const before = escalations();
      const series = new RssSeries(process.pid, 50);
      series.begin();
      const { report, ms } = await postFeed(
        gatewayUrl,
        name,
        await tokenFor(subjects[name].integrationId),
        feed,
      );
      const samples = series.end();
      expect(report.rejected).toEqual([]);
      expect(report.received).toBe(150);
      expect(report.created + report.unchanged + report.skipped).toBe(150);
      expect(ms).toBeGreaterThan(0);
      const challenges = Object.entries(feed.kinds)
        .filter(([kind]) => kind.includes('challenge') || kind === 'disagreement')
        .reduce((sum, [, n]) => sum + n, 0);
      expect(challenges).toBeGreaterThan(0);
      expect(escalations() - before).toBe(challenges);
      expect(rssAt(samples, [0.5, 1]).every((rss) => rss > 0)).toBe(true);

      // Sent again, every record is known: nothing is created twice.
      const again = await postFeed(
        gatewayUrl,
        name,
        await tokenFor(subjects[name].integrationId),
        feed,
      );
      expect(again.report.rejected).toEqual([]);
      expect(again.report.created).toBe(0);
      expect(escalations() - before).toBe(challenges);
    },
  );

  it("is refused with another agency's integration account", async () => {
    const feed = await generateFeed('health', dir, subjects, 10, 9);
    await expect(
      postFeed(gatewayUrl, 'health', await tokenFor(subjects.education.integrationId), feed),
    ).rejects.toThrow(/answered 403/);
  });
});
