import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The guide shows these files whole; each sits under a `<!-- file: … -->` marker.
const plugins = new URL('../../../', import.meta.url);
const readme = readFileSync(new URL('README.md', plugins), 'utf8');
const shown = new Map(
  [...readme.matchAll(/<!-- file: (\S+) -->\s*```ts\n([\s\S]*?)```/g)].map(
    ([, path, code]) => [path!, code!] as const,
  ),
);

describe('plugins/README.md', () => {
  for (const path of [
    'sdk/src/examples/youth-justice.plugin.ts',
    'sdk/src/examples/youth-justice.plugin.test.ts',
  ]) {
    it(`shows ${path} exactly as it is`, () => {
      expect(shown.get(path), `no code block marked <!-- file: ${path} -->`).toBe(
        readFileSync(new URL(path, plugins), 'utf8'),
      );
    });
  }
});
