import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS,
  loadEmbeddedKey,
  loadOrCreateEmbeddedKey,
  mintToken,
  tokenLifetimeSeconds,
} from './embedded-key.js';

describe('embedded key', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-gateway-key-'));
    dirs.push(dir);
    return join(dir, '.data');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates <dataDir>/jwt-key.json readable by its owner only, and reads it back', async () => {
    const dir = dataDir();
    const created = await loadOrCreateEmbeddedKey(dir);
    const file = join(dir, 'jwt-key.json');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.kid).toBe(created.kid);
    expect(stored.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: created.kid });
    expect(stored.publicJwk.d).toBeUndefined();
    expect(stored.privateJwk.d).toEqual(expect.any(String));

    const reloaded = await loadOrCreateEmbeddedKey(dir);
    expect(reloaded.kid).toBe(created.kid);
    expect(reloaded.publicJwk).toEqual(created.publicJwk);
  });

  it('yields one key when several callers create it at once', async () => {
    const dir = dataDir();
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateEmbeddedKey(dir)));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
  });

  it('mints practitioner and admin tokens with the documented claims', async () => {
    const key = await loadOrCreateEmbeddedKey(dataDir());
    const practitioner = decodeJwt(await mintToken(key, { subject: 'p-1' }));
    expect(practitioner).toMatchObject({ iss: 'hub-embedded', aud: 'hub', sub: 'p-1' });
    expect(practitioner.hub_admin).toBeUndefined();
    // One working day unless told otherwise.
    expect(practitioner.exp! - practitioner.iat!).toBe(10 * 3600);

    const adminToken = await mintToken(key, { admin: true, expiresIn: '5m' });
    expect(decodeJwt(adminToken)).toMatchObject({ sub: 'admin', hub_admin: true });
    expect(decodeProtectedHeader(adminToken)).toMatchObject({ alg: 'ES256', kid: key.kid });
  });

  it('mints up to the ceiling the gateway enforces, never beyond', async () => {
    const key = await loadOrCreateEmbeddedKey(dataDir());
    const week = decodeJwt(await mintToken(key, { subject: 'p-1', expiresIn: '7d' }));
    expect(week.exp! - week.iat!).toBe(EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS);
    await expect(mintToken(key, { subject: 'p-1', expiresIn: '8d' })).rejects.toThrow(
      /at most 604800 s, not 8d/,
    );
    await expect(mintToken(key, { subject: 'p-1', expiresIn: '2 hours' })).rejects.toThrow(
      /written like 30m, 8h or 2d/,
    );
  });

  it('reads lifetimes as <n><s|m|h|d>', () => {
    expect(tokenLifetimeSeconds('45s')).toBe(45);
    expect(tokenLifetimeSeconds('30m')).toBe(1800);
    expect(tokenLifetimeSeconds('8h')).toBe(28_800);
    expect(tokenLifetimeSeconds('2d')).toBe(172_800);
    expect(tokenLifetimeSeconds('-1h')).toBe(-3600);
    for (const span of ['', '8', 'h', '8 h', '8H', '1.5h', '2w', '8h ']) {
      expect(tokenLifetimeSeconds(span), span).toBeNull();
    }
  });

  it('loads nothing and creates nothing where there is no key', async () => {
    const dir = dataDir();
    expect(await loadEmbeddedKey(dir)).toBeNull();
    expect(existsSync(dir)).toBe(false);
  });
});
