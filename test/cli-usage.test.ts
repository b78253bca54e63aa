import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, userEnvironment } from './support/process.js';

/**
 * `npm run hub -- …` as a user types it, the built command in its own process, with a data
 * folder of its own that must stay empty: asking for help, or a word too many, never starts,
 * migrates or reads anything.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'hub-usage-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function hub(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['cli/dist/main.js', ...args],
      {
        cwd: ROOT,
        env: userEnvironment({ HUB_DATA_DIR: dataDir }) as NodeJS.ProcessEnv,
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('hub answers a request for help', () => {
  it.each(['--help', 'help', 'migrate --help', 'start -h'])(
    'hub %s prints the commands and exits 0, touching nothing',
    async (line) => {
      const run = await hub(line.split(' '));
      expect(run, line).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain('usage: hub <command>');
      expect(run.stdout).toContain('migrate');
      expect(readdirSync(dataDir)).toEqual([]);
    },
  );
});

describe('hub refuses a word too many for a command that takes none', () => {
  it.each(['migrate --dry-run', 'start --port 5000', 'audit verify cases'])(
    'hub %s exits 2 with the usage, touching nothing',
    async (line) => {
      const [command, ...rest] = line.split(' ');
      const run = await hub([command!, ...rest]);
      expect(run, line).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toContain('usage: hub <command>');
      if (command !== 'audit') {
        expect(run.stderr).toContain(
          `hub ${command} takes no arguments (given: ${rest.join(' ')})`,
        );
      }
      expect(readdirSync(dataDir)).toEqual([]);
    },
  );
});
