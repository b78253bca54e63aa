import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger, type DatabaseTarget } from '@hub/kit';
import Database from 'libsql';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshTarget } from '../../../test/support/databases.js';
import { ROOT, userEnvironment } from '../../../test/support/process.js';
import { loadDataset } from './dataset.load.js';
import { sizeSpec } from './dataset.spec.js';
import { verifyDataset } from './dataset.verify.js';
import { SUBGRAPHS, statsReadModelQuery, type SubgraphName } from './tables.js';

const log = createLogger('test', 'silent');
const spec = { ...sizeSpec('S'), escalations: 240, boards: 2, years: 2 };

describe.each(databaseKinds)('the dataset loaded into %s', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dataset-'));
  // SQLite: the four files in one directory, where HUB_DATA_DIR points the hub's commands.
  const fresh = kind === 'postgres' ? SUBGRAPHS.map((name) => freshTarget(kind, name)) : [];
  const targets = Object.fromEntries(
    SUBGRAPHS.map((name, i) => [
      name,
      fresh[i]?.target ?? { kind: 'sqlite', file: join(dir, `${name}.sqlite`) },
    ]),
  ) as Record<SubgraphName, DatabaseTarget>;
  afterAll(async () => {
    for (const target of fresh) await target.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is what the hub serves: audit chains, a replayed read model and GraphQL answers agree with the rows', async () => {
    const report = await loadDataset(spec, targets, log);
    expect(report.summary.escalations).toBe(240);
    expect(report.counts.escalations.escalation).toBe(240);
    await expect(loadDataset(spec, targets, log)).rejects.toThrow(/already holds data/);

    const checks = await verifyDataset(targets, { log });
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.map((check) => check.name)).toEqual([
      'cases: audit chain',
      'escalations: audit chain',
      'panels: audit chain',
      'learning: audit chain',
      'learning: replaying the events rebuilds the same read model',
      "board manager sees the board's escalations",
      "a practitioner's token works and sees their agency's escalations",
      "an analyst's escalationStats equal the generated rows",
    ]);
  });

  it.skipIf(kind !== 'sqlite' || !existsSync(join(ROOT, 'cli/dist/main.js')))(
    'passes `hub audit verify`, and `hub replay learning` leaves its statistics as generated',
    async () => {
      const stats = () => {
        const db = new Database(join(dir, 'learning.sqlite'));
        try {
          return db.prepare(statsReadModelQuery()).all();
        } finally {
          db.close();
        }
      };
      const before = stats();
      expect(before).toHaveLength(240);
      const hub = (...args: string[]) =>
        promisify(execFile)(process.execPath, ['cli/dist/main.js', ...args], {
          cwd: ROOT,
          env: userEnvironment({ HUB_DATA_DIR: dir }) as NodeJS.ProcessEnv,
        });
      await expect(hub('audit', 'verify')).resolves.toMatchObject({
        stdout: expect.stringMatching(/learning: audit chain intact/),
      });
      await expect(hub('replay', 'learning')).resolves.toMatchObject({
        stdout: expect.stringMatching(/240 escalations/),
      });
      expect(stats()).toEqual(before);
    },
  );
});
