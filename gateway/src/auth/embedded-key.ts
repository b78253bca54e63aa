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

const KEY_FILE = 'jwt-key.json';
const DEFAULT_LIFETIME = '12h';

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
 * Writes the key file unless one exists. The gateway and the `token` command may both start on a
 * fresh data directory at once: writing a temporary file and hard-linking it into place means
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
      /** jose time span, e.g. `12h`, `30m`. @default '12h' */
      expiresIn?: string;
    }
  | {
      /** The bootstrap administrator: `sub` is `admin` and the token carries `hub_admin: true`. */
      admin: true;
      subject?: typeof ADMIN_SUBJECT;
      /** jose time span, e.g. `12h`, `30m`. @default '12h' */
      expiresIn?: string;
    };

/** Signs a bearer token with the embedded key (local use: `npm run token`, tests). */
export async function mintToken(key: EmbeddedKey, options: MintTokenOptions): Promise<string> {
  const subject = options.admin ? ADMIN_SUBJECT : options.subject;
  if (!subject) throw new Error('A practitioner token needs a subject (the practitioner id).');
  return new SignJWT(options.admin ? { [ADMIN_CLAIM]: true } : {})
    .setProtectedHeader({ alg: EMBEDDED_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(EMBEDDED_ISSUER)
    .setAudience(EMBEDDED_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? DEFAULT_LIFETIME)
    .sign(key.privateKey);
}
