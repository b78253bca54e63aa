import { describe, expect, it } from 'vitest';
import { startNodeOptions } from './hub.topology.js';

const packageJson = (start: string) => JSON.stringify({ scripts: { start } });

describe('the embedded hub as the benchmark starts it', () => {
  it('gets the options `npm start` gives node', () => {
    expect(
      startNodeOptions(
        packageJson(
          'npm run --silent build && node --max-semi-space-size=16 cli/dist/main.js start',
        ),
      ),
    ).toEqual(['--max-semi-space-size=16']);
    expect(startNodeOptions(packageJson('node cli/dist/main.js start'))).toEqual([]);
    // The repository's own script: whatever it gives node, node options only.
    for (const option of startNodeOptions()) expect(option).toMatch(/^--/);
  });

  it('refuses a start script that does not run the CLI with node', () => {
    expect(() => startNodeOptions(packageJson('tsx cli/src/main.ts start'))).toThrow(
      /start script runs no `node cli\/dist\/main.js`/,
    );
  });
});
