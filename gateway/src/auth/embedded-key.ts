import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';

/** `iss` of the tokens the embedded key signs. */
export const EMBEDDED_ISSUER = 'hub-embedded';
/** `aud` of the tokens the embedded key signs. */
export const EMBEDDED_AUDIENCE = 'hub';
/** `sub` of the bootstrap administrator's token. */
export const ADMIN_SUBJECT = 'admin';
/** Claim that marks the bootstrap administrator; honoured only for embedded tokens. */
export const ADMIN_CLAIM = 'hub_admin';
export const EMBEDDED_ALGORITHM = 'ES256';

/**
 * The longest an embedded token may live (`exp` − `iat`, seconds): the gateway refuses longer
 * ones and neither `mintToken` nor the token command makes them. A week covers a tester's working
 * week; a token that leaks from a shell history or a script is dead within it.
 */
export const EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

/**
 * How long an embedded token lives unless told otherwise: one working day, 10 hours rather than
 * 8 so that a token minted at the start of a long day (with breaks and the overrun casework
 * brings) lasts to its end, and is still dead by the next morning.
 */
export const EMBEDDED_TOKEN_DEFAULT_LIFETIME = '10h';

const KEY_FILE = 'jwt-key.json';
const UNIT_SECONDS = { s: 1, m: 60, h: 60 * 60, d: 24 * 60 * 60 } as const;

/**
 * The seconds in a token lifetime written `<n><unit>`, unit one of s, m, h, d (`30m`, `8h`, `2d`),
 * or null when `span` is not one. A negative span (a token already expired) is for tests.
 */
export function tokenLifetimeSeconds(span: string): number | null {
  const match = /^(-?\d{1,9})([smhd])$/.exec(span);
  if (!match) return null;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

/** The embedded default's signing key pair (ES256), as loaded from `<dataDir>/jwt-key.json`. */
export interface EmbeddedKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half, for a JWKS or for another process that only verifies. */
  publicJwk: JWK;
}

interface KeyFile {
  kid: string;
  alg: typeof EMBEDDED_ALGORITHM;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function createKeyFile(): Promise<KeyFile> {
  const pair = await generateKeyPair(EMBEDDED_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const common = { kid, alg: EMBEDDED_ALGORITHM, use: 'sig' };
  return {
    kid,
    alg: EMBEDDED_ALGORITHM,
    privateJwk: { ...(await exportJWK(pair.privateKey)), ...common },
    publicJwk: { ...publicJwk, ...common },
  };
}

/**
 * Writes the key file unless one exists. Two processes may start on a fresh data directory at
 * once (a hub started twice, tests): writing a temporary file and hard-linking it into place means
 * exactly one key wins and nobody reads a half-written file.
 */
function publish(file: string, content: KeyFile): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
  try {
    chmodSync(temporary, 0o600);
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readKeyFile(file: string): KeyFile {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFile>;
  if (typeof parsed.kid !== 'string' || !parsed.privateJwk || !parsed.publicJwk) {
    throw new Error(`${file} is not an embedded key file (kid, privateJwk, publicJwk).`);
  }
  return parsed as KeyFile;
}

/** Where the embedded default keeps its token signing key. */
export function embeddedKeyFile(dataDir: string): string {
  return join(dataDir, KEY_FILE);
}

/**
 * The embedded default's token signing key, `<dataDir>/jwt-key.json`, or null when there is none.
 * Never creates one: only the hub itself (`npm start`) does.
 */
export async function loadEmbeddedKey(dataDir: string): Promise<EmbeddedKey | null> {
  const file = embeddedKeyFile(dataDir);
  let content: KeyFile;
  try {
    content = readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const [privateKey, publicKey] = await Promise.all([
    importJWK(content.privateJwk, EMBEDDED_ALGORITHM),
    importJWK(content.publicJwk, EMBEDDED_ALGORITHM),
  ]);
  if (!isCryptoKey(privateKey) || !isCryptoKey(publicKey)) {
    throw new Error(`${file} does not hold an ${EMBEDDED_ALGORITHM} key pair.`);
  }
  return { kid: content.kid, privateKey, publicKey, publicJwk: content.publicJwk };
}

/**
 * The embedded default's token signing key, created on first use and readable by its owner
 * only. Production uses an OIDC issuer instead and never calls this.
 */
export async function loadOrCreateEmbeddedKey(dataDir: string): Promise<EmbeddedKey> {
  const existing = await loadEmbeddedKey(dataDir);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  publish(embeddedKeyFile(dataDir), await createKeyFile());
  return (await loadEmbeddedKey(dataDir))!;
}

function isCryptoKey(key: CryptoKey | Uint8Array): key is CryptoKey {
  return !(key instanceof Uint8Array);
}

/** Whom a minted token names: a practitioner by id, or the bootstrap administrator. */
export type MintTokenOptions =
  | {
      /** The practitioner's id. */
      subject: string;
      admin?: false;
      /** Lifetime: `30m`, `8h`, `2d`…, at most the ceiling. @default '10h' */
      expiresIn?: string;
    }
  | {
      /** The bootstrap administrator: `sub` is `admin` and the token carries `hub_admin: true`. */
      admin: true;
      subject?: typeof ADMIN_SUBJECT;
      /** Lifetime: `30m`, `8h`, `2d`…, at most the ceiling. @default '10h' */
      expiresIn?: string;
    };

/**
 * Signs a bearer token with the embedded key (local use: `npm run token`, tests). Throws for a
 * lifetime it cannot read or above EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS, which the gateway refuses.
 */
export async function mintToken(key: EmbeddedKey, options: MintTokenOptions): Promise<string> {
  const subject = options.admin ? ADMIN_SUBJECT : options.subject;
  if (!subject) throw new Error('A practitioner token needs a subject (the practitioner id).');
  const span = options.expiresIn ?? EMBEDDED_TOKEN_DEFAULT_LIFETIME;
  const lifetime = tokenLifetimeSeconds(span);
  if (lifetime === null) {
    throw new Error(`A token lifetime is written like 30m, 8h or 2d, not "${span}".`);
  }
  if (lifetime > EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS) {
    throw new Error(
      `A token may live at most ${EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS} s, not ${span}.`,
    );
  }
  // exp from the same instant as iat: jose would read the clock twice, and a second ticking in
  // between would make a token minted for exactly the ceiling one second too long.
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT(options.admin ? { [ADMIN_CLAIM]: true } : {})
    .setProtectedHeader({ alg: EMBEDDED_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(EMBEDDED_ISSUER)
    .setAudience(EMBEDDED_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .sign(key.privateKey);
}
