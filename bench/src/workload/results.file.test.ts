import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { appendResults } from './results.file.js';

describe('appendResults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file, appends sections in order, and leaves it as Prettier would', async () => {
    const file = join(dir, 'RESULTS.md');
    await appendResults(file, '## One\n\n| a | bb |\n| --- | ---: |\n| 1 | 22222 |\n');
    await appendResults(file, '## Two\n\n- x');
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# Results\n')).toBe(true);
    expect(text.indexOf('## One')).toBeLessThan(text.indexOf('## Two'));
    expect(text).toContain('| a   |    bb |');
    const options = (await prettier.resolveConfig(file)) ?? {};
    expect(await prettier.check(text, { ...options, parser: 'markdown' })).toBe(true);
  });
});
