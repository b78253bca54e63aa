import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root, from this package's location (cli/src or cli/dist). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function repoPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}
