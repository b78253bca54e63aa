import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newInternalSecret } from './actor.js';

/**
 * The secret that signs the actor header. Production passes HUB_INTERNAL_SECRET; the embedded
 * default keeps one in `<dataDir>/internal-secret`, created on first use, readable by its owner only.
 */
export function loadOrCreateInternalSecret(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'internal-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = newInternalSecret();
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}
