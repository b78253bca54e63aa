import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newInternalSecret } from './actor.js';
import { ConfigError } from './config.js';

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

/**
 * The secret of a service run on its own (`hub serve`): from HUB_INTERNAL_SECRET or the file
 * HUB_INTERNAL_SECRET_FILE names, never generated, since every process must share it.
 */
export function requireInternalSecret(settings: {
  HUB_INTERNAL_SECRET?: string;
  HUB_INTERNAL_SECRET_FILE?: string;
}): string {
  if (settings.HUB_INTERNAL_SECRET && settings.HUB_INTERNAL_SECRET_FILE) {
    throw new ConfigError(
      'Invalid configuration:\n  HUB_INTERNAL_SECRET_FILE: set it or HUB_INTERNAL_SECRET, not both',
    );
  }
  if (settings.HUB_INTERNAL_SECRET) return settings.HUB_INTERNAL_SECRET;
  const file = settings.HUB_INTERNAL_SECRET_FILE;
  if (!file) {
    throw new ConfigError(
      'Invalid configuration:\n  HUB_INTERNAL_SECRET: required by a service run on its own ' +
        '(at least 32 random characters, the same in every process), or HUB_INTERNAL_SECRET_FILE',
    );
  }
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  HUB_INTERNAL_SECRET_FILE: cannot read ${file} (${(error as Error).message})`,
    );
  }
  if (secret.length < 32) {
    throw new ConfigError(
      `Invalid configuration:\n  HUB_INTERNAL_SECRET_FILE: ${file} must hold at least 32 characters`,
    );
  }
  return secret;
}
