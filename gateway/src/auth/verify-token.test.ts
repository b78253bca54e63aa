import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS,
  loadOrCreateEmbeddedKey,
  mintToken,
  type EmbeddedKey,
} from './embedded-key.js';
import {
  bearerToken,
  createEmbeddedVerifier,
  createOidcVerifier,
  createTokenVerifier,
  TokenError,
  VerifiedTokens,
  type TokenVerifier,
} from './verify-token.js';

/** Counts the signature checks jose makes (WebCrypto's `subtle.verify`) while `run` runs. */
async function signatureChecks(run: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(crypto.subtle, 'verify');
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

async function refusal(verifier: TokenVerifier, token: string | undefined) {
  const error = await verifier.verify(token).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenError);
  return (error as TokenError).reason;
}

describe('bearerToken', () => {
  it('takes the token from an Authorization: Bearer header only', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwdw==')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('embedded verifier', () => {
  let dirs: string[];
  let key: EmbeddedKey;
  let otherKey: EmbeddedKey;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    dirs = [mkdtempSync(join(tmpdir(), 'hub-verify-')), mkdtempSync(join(tmpdir(), 'hub-verify-'))];
    key = await loadOrCreateEmbeddedKey(dirs[0]!);
    otherKey = await loadOrCreateEmbeddedKey(dirs[1]!);
    verifier = createEmbeddedVerifier(key);
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a practitioner token', async () => {
    expect(verifier.mode).toBe('embedded');
    await expect(verifier.verify(await mintToken(key, { subject: 'p-1' }))).resolves.toEqual({
      subject: 'p-1',
      admin: false,
    });
  });

  it('accepts the bootstrap administrator token', async () => {
    await expect(verifier.verify(await mintToken(key, { admin: true }))).resolves.toEqual({
      subject: 'admin',
      admin: true,
    });
  });

  describe('a token verified before', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('is taken from the verified tokens, its signature not checked again', async () => {
      const verified = new VerifiedTokens();
      const remembering = createEmbeddedVerifier(key, verified);
      const token = await mintToken(key, { subject: 'p-1' });
      expect(await signatureChecks(() => remembering.verify(token))).toBe(1);
      const again = await signatureChecks(async () => {
        await expect(remembering.verify(token)).resolves.toEqual({ subject: 'p-1', admin: false });
      });
      expect(again).toBe(0);
      expect(verified.size).toBe(1);
      // Another key's token with the same claims is another text: checked, and refused.
      expect(await refusal(remembering, await mintToken(otherKey, { subject: 'p-1' }))).toBe(
        'invalid',
      );
    });

    it('is refused once it expires, as jose refuses it', async () => {
      const remembering = createEmbeddedVerifier(key, new VerifiedTokens());
      const token = await mintToken(key, { subject: 'p-1' });
      await remembering.verify(token);
      vi.useFakeTimers({ toFake: ['Date'] });
      // A working day and jose's 30 s of clock tolerance later, and one second more.
      vi.setSystemTime(Date.now() + (10 * 3600 + 31) * 1000);
      expect(await refusal(remembering, token)).toBe('expired');
    });

    it('keeps at most the newest tokens it was given room for', async () => {
      const verified = new VerifiedTokens(2);
      const remembering = createEmbeddedVerifier(key, verified);
      const tokens = await Promise.all(
        ['p-1', 'p-2', 'p-3'].map((subject) => mintToken(key, { subject })),
      );
      for (const token of tokens) await remembering.verify(token);
      expect(verified.size).toBe(2);
      expect(await signatureChecks(() => remembering.verify(tokens[0]!))).toBe(1);
      expect(await signatureChecks(() => remembering.verify(tokens[0]!))).toBe(0);
    });
  });

  it('refuses a missing token', async () => {
    expect(await refusal(verifier, undefined)).toBe('missing');
  });

  it('refuses a malformed token', async () => {
    expect(await refusal(verifier, 'not-a-jwt')).toBe('malformed');
    expect(await refusal(verifier, 'a.b.c')).toBe('malformed');
  });

  it('refuses an expired token', async () => {
    expect(
      await refusal(verifier, await mintToken(key, { subject: 'p-1', expiresIn: '-1h' })),
    ).toBe('expired');
  });

  it('refuses a token signed by another key', async () => {
    expect(await refusal(verifier, await mintToken(otherKey, { subject: 'p-1' }))).toBe('invalid');
  });

  it('refuses a token without an expiry or for another audience', async () => {
    const noExpiry = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('hub-embedded')
      .setAudience('hub')
      .setSubject('p-1')
      .sign(key.privateKey);
    expect(await refusal(verifier, noExpiry)).toBe('invalid');
    const otherAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('hub-embedded')
      .setAudience('elsewhere')
      .setSubject('p-1')
      .setExpirationTime('1h')
      .sign(key.privateKey);
    expect(await refusal(verifier, otherAudience)).toBe('invalid');
  });

  it('refuses the admin claim on any subject but admin', async () => {
    const token = await new SignJWT({ hub_admin: true })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('hub-embedded')
      .setAudience('hub')
      .setSubject('p-1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key.privateKey);
    expect(await refusal(verifier, token)).toBe('malformed');
  });

  describe('lifetime', () => {
    const now = () => Math.floor(Date.now() / 1000);
    /** A token signed by the hub's own key, with exactly the iat and exp given (seconds). */
    const signed = (claims: { iat?: number; exp: number }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('hub-embedded')
        .setAudience('hub')
        .setSubject('p-1')
        .sign(key.privateKey);
    const refusedWith = async (token: string) => {
      const error = await verifier.verify(token).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TokenError);
      return { reason: (error as TokenError).reason, message: (error as TokenError).message };
    };

    it('accepts a working day, exactly the ceiling, and an iat within the clock tolerance', async () => {
      const iat = now();
      for (const token of [
        await signed({ iat, exp: iat + 10 * 3600 }),
        await signed({ iat, exp: iat + EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS }),
        // The minting machine's clock 20 s ahead of the gateway's.
        await signed({ iat: iat + 20, exp: iat + 20 + 3600 }),
      ]) {
        await expect(verifier.verify(token)).resolves.toEqual({ subject: 'p-1', admin: false });
      }
    });

    it('refuses a token issued in the future beyond the clock tolerance', async () => {
      const iat = now() + 120;
      expect(await refusedWith(await signed({ iat, exp: iat + 3600 }))).toEqual({
        reason: 'invalid',
        message: 'The bearer token was issued in the future: check the clock where it was minted.',
      });
    });

    it('refuses a token living longer than the ceiling: ten years, or one second', async () => {
      const iat = now();
      const tenYears = await signed({ iat, exp: iat + 10 * 365 * 86_400 });
      expect(await refusedWith(tenYears)).toEqual({
        reason: 'invalid',
        message: 'The bearer token lives longer than this hub allows (7 days): get a new one.',
      });
      const justOver = await signed({ iat, exp: iat + EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS + 1 });
      expect((await refusedWith(justOver)).reason).toBe('invalid');
    });

    it('refuses a token without iat, whose lifetime cannot be checked', async () => {
      expect((await refusedWith(await signed({ exp: now() + 3600 }))).reason).toBe('invalid');
    });
  });
});

describe('OIDC verifier', () => {
  const issuer = 'https://id.example.org/';
  const audience = 'hub-api';
  let server: Server;
  let issuerKey: CryptoKey;
  let strangerKey: CryptoKey;
  let verifier: TokenVerifier;
  let jwksRequests = 0;
  /** What `/rotating/jwks.json` publishes: the issuer's key until a test withdraws it. */
  let rotating: { keys: unknown[] } = { keys: [] };

  const sign = (claims: Record<string, unknown>, signWith = issuerKey, kid = 'issuer-key') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('3f0c9b52-8d3e-4a4e-9d7b-1c2a3b4c5d6e')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(signWith);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    issuerKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const jwks = {
      keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'issuer-key', alg: 'RS256', use: 'sig' }],
    };
    rotating = jwks;
    // A real issuer's JWKS endpoint, on this machine.
    server = createServer((req, res) => {
      jwksRequests += 1;
      if (req.url === '/rotating/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rotating));
        return;
      }
      if (req.url === '/broken/jwks.json') {
        res.writeHead(500).end();
        return;
      }
      if (req.url !== '/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    verifier = createOidcVerifier({
      issuer,
      audience,
      jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('accepts a token from the issuer, fetching its JWKS', async () => {
    expect(verifier.mode).toBe('oidc');
    await expect(verifier.verify(await sign({}))).resolves.toEqual({
      subject: '3f0c9b52-8d3e-4a4e-9d7b-1c2a3b4c5d6e',
      admin: false,
    });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('ignores hub_admin: administrators come from the directory', async () => {
    await expect(verifier.verify(await sign({ hub_admin: true }))).resolves.toMatchObject({
      admin: false,
    });
  });

  it('makes a subject listed in HUB_ADMIN_SUBJECTS the bootstrap administrator, no other', async () => {
    const { port } = server.address() as AddressInfo;
    const withAdmins = createOidcVerifier({
      issuer,
      audience,
      jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
      adminSubjects: ['3f0c9b52-8d3e-4a4e-9d7b-1c2a3b4c5d6e'],
    });
    await expect(withAdmins.verify(await sign({}))).resolves.toEqual({
      subject: '3f0c9b52-8d3e-4a4e-9d7b-1c2a3b4c5d6e',
      admin: true,
    });
    const other = await new SignJWT({ hub_admin: true })
      .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('3F0C9B52-8D3E-4A4E-9D7B-1C2A3B4C5D6E')
      .setExpirationTime('10m')
      .sign(issuerKey);
    await expect(withAdmins.verify(other)).resolves.toMatchObject({ admin: false });
  });

  it('takes a token verified before from the verified tokens, while the issuer publishes its key', async () => {
    const { port } = server.address() as AddressInfo;
    const remembering = createOidcVerifier(
      { issuer, audience, jwksUrl: `http://127.0.0.1:${port}/jwks.json` },
      new VerifiedTokens(),
    );
    const token = await sign({});
    expect(await signatureChecks(() => remembering.verify(token))).toBe(1);
    const again = await signatureChecks(async () => {
      await expect(remembering.verify(token)).resolves.toMatchObject({ admin: false });
    });
    expect(again).toBe(0);
  });

  it('refuses a token verified before once the issuer withdraws its key', async () => {
    const { port } = server.address() as AddressInfo;
    const remembering = createOidcVerifier(
      { issuer, audience, jwksUrl: `http://127.0.0.1:${port}/rotating/jwks.json` },
      new VerifiedTokens(),
      // jose fetches the key set again on every use here (its default: after 10 minutes).
      { cacheMaxAge: 1, cooldownDuration: 0 },
    );
    const token = await sign({});
    await expect(remembering.verify(token)).resolves.toMatchObject({ admin: false });
    const published = rotating;
    try {
      rotating = { keys: [] };
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await refusal(remembering, token)).toBe('invalid');
    } finally {
      rotating = published;
    }
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    expect(await refusal(verifier, await sign({}, strangerKey))).toBe('invalid');
    expect(await refusal(verifier, await sign({}, strangerKey, 'unknown-kid'))).toBe('invalid');
  });

  it('refuses an expired token and one from another issuer', async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('p-1')
      .setExpirationTime('-1h')
      .sign(issuerKey);
    expect(await refusal(verifier, expired)).toBe('expired');
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key' })
      .setIssuer('https://evil.example.org/')
      .setAudience(audience)
      .setSubject('p-1')
      .setExpirationTime('10m')
      .sign(issuerKey);
    expect(await refusal(verifier, foreign)).toBe('invalid');
  });

  it("reports an issuer whose JWKS fails as the hub's fault, not the token's", async () => {
    const { port } = server.address() as AddressInfo;
    const broken = createOidcVerifier({
      issuer,
      audience,
      jwksUrl: `http://127.0.0.1:${port}/broken/jwks.json`,
    });
    const error = await broken.verify(await sign({})).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TokenError);
  });

  it('does not take an embedded token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-verify-'));
    try {
      const key = await loadOrCreateEmbeddedKey(dir);
      expect(await refusal(verifier, await mintToken(key, { admin: true }))).toBe('invalid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createTokenVerifier', () => {
  it('verifies with the embedded key under HUB_DATA_DIR unless OIDC is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-verify-'));
    try {
      const verifier = await createTokenVerifier({ HUB_DATA_DIR: dir });
      expect(verifier.mode).toBe('embedded');
      const key = await loadOrCreateEmbeddedKey(dir);
      await expect(verifier.verify(await mintToken(key, { subject: 'p-9' }))).resolves.toEqual({
        subject: 'p-9',
        admin: false,
      });
      const oidc = await createTokenVerifier(
        {
          HUB_DATA_DIR: dir,
          OIDC_ISSUER: 'https://id.example.org/',
          OIDC_AUDIENCE: 'hub',
          OIDC_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
        },
        key,
      );
      expect(oidc.mode).toBe('oidc');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
