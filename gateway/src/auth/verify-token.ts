import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWSAlgorithm,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  type RemoteJWKSetOptions,
} from 'jose';
import { oidcSettings, type GatewayConfig, type OidcSettings } from '../config.js';
import {
  ADMIN_CLAIM,
  ADMIN_SUBJECT,
  EMBEDDED_ALGORITHM,
  EMBEDDED_AUDIENCE,
  EMBEDDED_ISSUER,
  EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS,
  loadOrCreateEmbeddedKey,
  type EmbeddedKey,
} from './embedded-key.js';

/** Who the bearer token says the caller is. */
export interface TokenIdentity {
  /**
   * The token's `sub`: with the embedded key a practitioner id (or `admin`); with an OIDC issuer
   * the issuer's own subject, which the directory maps to a practitioner.
   */
  subject: string;
  /**
   * The bootstrap administrator: the embedded key's admin token, or an OIDC subject listed in
   * HUB_ADMIN_SUBJECTS.
   */
  admin: boolean;
}

/** Verifies bearer tokens for the gateway; throws TokenError for anything but a valid token. */
export interface TokenVerifier {
  /** `embedded`: the key under HUB_DATA_DIR; `oidc`: an external issuer's JWKS. */
  readonly mode: 'embedded' | 'oidc';
  verify(token: string | undefined): Promise<TokenIdentity>;
}

/**
 * Why a token was refused. The message is safe to show the client: it says what to do, never
 * which check failed inside the signature.
 */
export class TokenError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'malformed' | 'expired' | 'invalid',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TokenError';
  }
}

/** Tolerated clock difference between the issuer and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** Asymmetric algorithms only: a JWKS never legitimately holds a shared secret. */
const OIDC_ALGORITHMS: JWSAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** The token from an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

async function verifyWith(
  token: string | undefined,
  check: (token: string) => Promise<JWTVerifyResult & { key?: unknown }>,
): Promise<JWTVerifyResult & { key?: unknown; payload: JWTPayload & { sub: string } }> {
  if (!token) throw new TokenError('Authentication required: send a bearer token.', 'missing');
  try {
    const result = await check(token);
    const { payload } = result;
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw new TokenError('The bearer token names no subject.', 'malformed');
    }
    return { ...result, payload: { ...payload, sub: payload.sub } };
  } catch (error) {
    if (error instanceof TokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) {
      throw new TokenError('The bearer token has expired: get a new one.', 'expired', {
        cause: error,
      });
    }
    // An issuer we cannot reach, or whose JWKS endpoint fails (jose's generic error), is the
    // hub's problem, not the client's: let it surface as such.
    if (
      error instanceof joseErrors.JWKSTimeout ||
      error instanceof joseErrors.JWKSInvalid ||
      (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
    ) {
      throw error;
    }
    if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) {
      throw new TokenError('The bearer token is malformed.', 'malformed', { cause: error });
    }
    if (error instanceof joseErrors.JOSEError) {
      throw new TokenError('The bearer token is not valid for this hub.', 'invalid', {
        cause: error,
      });
    }
    throw error;
  }
}

/** How many verified tokens a verifier keeps (about a kilobyte each). */
export const VERIFIED_TOKENS_KEPT = 1000;

interface VerifiedToken {
  identity: TokenIdentity;
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt: number;
  header: JWSHeaderParameters;
  /** The key that checked its signature. */
  key: unknown;
}

/**
 * Tokens a verifier has already checked, by their exact text: a client sends the same token
 * with every request until it expires, and checking its signature again (ES256 or RS256, a
 * WebCrypto call) cost more of the gateway's CPU than anything else it does for a token. A
 * token is taken from here only while it has not expired (the same rule and clock tolerance
 * as jose's) and only when the key its header names is still the key that checked it: the
 * embedded key, or the key the issuer's JWKS gives for it now as jose holds the set, so a key
 * the issuer has withdrawn stops its tokens here as it would without this. Nothing but the
 * signature and claims check is skipped: the actor is still loaded from the directory on every
 * request. At most {@link VERIFIED_TOKENS_KEPT}, the oldest dropped first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(private readonly kept = VERIFIED_TOKENS_KEPT) {}

  get size(): number {
    return this.entries.size;
  }

  /** The identity of a token checked before and still good, or undefined (check it afresh). */
  async find(
    token: string,
    currentKey: (header: JWSHeaderParameters) => Promise<unknown>,
  ): Promise<TokenIdentity | undefined> {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= Math.floor(Date.now() / 1000) - CLOCK_TOLERANCE_SECONDS) {
      this.entries.delete(token);
      return undefined;
    }
    const key = await currentKey(entry.header).catch(() => undefined);
    if (key !== entry.key) {
      this.entries.delete(token);
      return undefined;
    }
    return { ...entry.identity };
  }

  keep(token: string, entry: VerifiedToken): void {
    if (this.entries.size >= this.kept && !this.entries.has(token)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { ...entry, identity: { ...entry.identity } });
  }
}

/**
 * Verifies tokens signed by the embedded key (`mintToken`); honours the admin claim. Whoever holds
 * the key could sign a token for ten years, so the lifetime is checked here, not trusted: `iat`
 * is required, may not lie in the future beyond the clock tolerance (a token dated ahead would
 * outlive its stated lifetime), and `exp − iat` may not exceed
 * EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS.
 */
export function createEmbeddedVerifier(
  key: Pick<EmbeddedKey, 'publicKey'>,
  verified = new VerifiedTokens(),
): TokenVerifier {
  const options: JWTVerifyOptions = {
    issuer: EMBEDDED_ISSUER,
    audience: EMBEDDED_AUDIENCE,
    algorithms: [EMBEDDED_ALGORITHM],
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };
  return {
    mode: 'embedded',
    async verify(token) {
      const known = token ? await verified.find(token, async () => key.publicKey) : undefined;
      if (known) return known;
      const { payload, protectedHeader } = await verifyWith(token, (jwt) =>
        jwtVerify(jwt, key.publicKey, options),
      );
      // jose has checked that both are numbers (required claims) and that exp has not passed.
      const issuedAt = payload.iat!;
      const expires = payload.exp!;
      if (issuedAt > Math.floor(Date.now() / 1000) + CLOCK_TOLERANCE_SECONDS) {
        throw new TokenError(
          'The bearer token was issued in the future: check the clock where it was minted.',
          'invalid',
        );
      }
      if (expires - issuedAt > EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS) {
        throw new TokenError(
          `The bearer token lives longer than this hub allows ` +
            `(${EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS / 86_400} days): get a new one.`,
          'invalid',
        );
      }
      const admin = payload[ADMIN_CLAIM] === true;
      if (admin && payload.sub !== ADMIN_SUBJECT) {
        throw new TokenError('The bearer token is malformed.', 'malformed');
      }
      const identity = { subject: payload.sub, admin };
      verified.keep(token!, {
        identity,
        expiresAt: expires,
        header: protectedHeader,
        key: key.publicKey,
      });
      return identity;
    },
  };
}

/**
 * Verifies tokens from an external OIDC issuer against its JWKS (fetched and cached by jose,
 * refetched when a token names an unknown key). `hub_admin` means nothing here: an administrator
 * is a practitioner with role ADMIN in the directory, or a subject the operator listed in
 * HUB_ADMIN_SUBJECTS, so no claim the issuer adds can make one.
 */
export function createOidcVerifier(
  settings: OidcSettings,
  verified = new VerifiedTokens(),
  /** jose's JWKS cache, for tests (its defaults: refetched after 10 minutes at the latest). */
  jwksOptions: Pick<RemoteJWKSetOptions, 'cacheMaxAge' | 'cooldownDuration'> = {},
): TokenVerifier {
  const adminSubjects = new Set(settings.adminSubjects ?? []);
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
    timeoutDuration: 5000,
    ...jwksOptions,
  });
  const options: JWTVerifyOptions = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: OIDC_ALGORITHMS,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };
  return {
    mode: 'oidc',
    async verify(token) {
      const known = token ? await verified.find(token, (header) => jwks(header)) : undefined;
      if (known) return known;
      const { payload, protectedHeader, key } = await verifyWith(token, (jwt) =>
        jwtVerify(jwt, jwks, options),
      );
      const identity = { subject: payload.sub, admin: adminSubjects.has(payload.sub) };
      // jose has checked that exp is a number (a required claim).
      verified.keep(token!, { identity, expiresAt: payload.exp!, header: protectedHeader, key });
      return identity;
    },
  };
}

/** The settings createTokenVerifier reads (a GatewayConfig has them all). */
export type TokenVerifierSettings = Partial<
  Pick<
    GatewayConfig,
    'HUB_DATA_DIR' | 'OIDC_ISSUER' | 'OIDC_AUDIENCE' | 'OIDC_JWKS_URL' | 'HUB_ADMIN_SUBJECTS'
  >
>;

/**
 * The verifier the configuration asks for: the OIDC issuer's when OIDC_* are set, otherwise the
 * embedded key: `embeddedKey` when the caller has loaded it already, else the one under
 * HUB_DATA_DIR (created on first use).
 */
export async function createTokenVerifier(
  settings: TokenVerifierSettings,
  embeddedKey?: EmbeddedKey | null,
): Promise<TokenVerifier> {
  const oidc = oidcSettings(settings);
  if (oidc) return createOidcVerifier(oidc);
  if (embeddedKey) return createEmbeddedVerifier(embeddedKey);
  if (!settings.HUB_DATA_DIR) {
    throw new Error('The embedded verifier needs HUB_DATA_DIR or an embedded key.');
  }
  return createEmbeddedVerifier(await loadOrCreateEmbeddedKey(settings.HUB_DATA_DIR));
}
