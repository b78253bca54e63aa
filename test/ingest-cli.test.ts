/**
 * `hub ingest` as a user runs it: `node cli/dist/main.js ingest …` as a real process (built by
 * `npm test`'s build step) against a test hub over HTTP, its stdout and stderr apart.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';
import { createIngestDirectory, type IngestDirectory } from './support/ingest.js';
import { ROOT, userEnvironment } from './support/process.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with its stdout and stderr piped (not a terminal), as a script would. */
function hub(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['cli/dist/main.js', ...args],
      { cwd: ROOT, env: userEnvironment(env) as NodeJS.ProcessEnv },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Whether a progress bar was drawn: cli-progress's bar characters, carriage returns, cursor codes. */
const drewProgress = (text: string) => /[\u2588\u2591\r]/.test(text) || text.includes('\u001b[');

describe('hub ingest (the CLI)', () => {
  let t: TestHub;
  let d: IngestDirectory;
  const url = () => t.url.replace(/\/graphql$/, '');

  beforeAll(async () => {
    t = await startTestHub('sqlite');
    d = await createIngestDirectory(t);
  });
  afterAll(() => t?.close());

  it('streams the file to the hub, prints the report on stdout and exits 0', async () => {
    const run = await hub([
      'ingest',
      '--plugin',
      'police',
      '--url',
      url(),
      '--token',
      d.tokens.policeIntegration!,
      'plugins/police/fixtures/referrals.json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      plugin: 'police',
      received: 3,
      created: 2,
      updated: 0,
      unchanged: 0,
      skipped: 1,
      rejected: [],
    });
    expect(run.stderr).toContain('police: 3 received, 2 created');
    // Not a terminal: no progress bar.
    expect(drewProgress(run.stderr)).toBe(false);
  });

  it('guesses the media type from the extension and reads HUB_URL and HUB_TOKEN', async () => {
    const run = await hub(
      ['ingest', '--plugin', 'education', 'plugins/education/fixtures/ctf-pupils.xml'],
      {
        HUB_URL: t.url,
        HUB_TOKEN: d.tokens.schoolIntegration!,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ plugin: 'education', received: 3, created: 3 });
  });

  it('exits 1 when a record was rejected, and the report lists it', async () => {
    const run = await hub(
      ['ingest', '--plugin', 'police', '--url', url(), 'plugins/police/fixtures/referrals-bad.csv'],
      { HUB_TOKEN: d.tokens.policeIntegration! },
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.rejected).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sourceId: 'referral:PPN-2026-000603',
          field: 'child.nhsNumber',
          message: 'NHS number fails its check digit',
        }),
      ]),
    );
    expect(run.stderr).toMatch(/[1-9]\d* rejected/);
  });

  it("exits 1 with the hub's message when it refuses", async () => {
    const run = await hub([
      'ingest',
      '--plugin',
      'police',
      '--url',
      url(),
      '--token',
      d.tokens.healthIntegration!,
      'plugins/police/fixtures/referrals.json',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      "HTTP 403: this integration account belongs to a HEALTH agency; the police plugin takes POLICE agencies' data",
    );
  });

  it('exits 2 without a token, saying how to get one', async () => {
    const run = await hub([
      'ingest',
      '--plugin',
      'police',
      '--url',
      url(),
      'plugins/police/fixtures/referrals.json',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('npm run --silent token -- --practitioner <integration id>');
    expect(run.stdout).toBe('');
  });

  it('exits 2 for a command line it does not take', async () => {
    for (const args of [
      ['ingest', 'plugins/police/fixtures/referrals.json'],
      ['ingest', '--plugin', 'police'],
      ['ingest', '--plugin', 'police', '--token', 'x', 'no/such/file.json'],
      ['ingest', '--plugin', 'police', '--token', 'x', 'README.md'],
    ]) {
      const run = await hub(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/usage: hub ingest|--content-type/);
    }
  });
});
