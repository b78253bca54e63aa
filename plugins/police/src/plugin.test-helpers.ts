import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A fixture's bytes, from the package's `fixtures/` folder. */
export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));
}
