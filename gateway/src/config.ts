import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { hubEnvSchema, parseConfig, portSchema } from '@hub/kit';
import { z } from 'zod';

/** The committed supergraph, found from this package's location (gateway/src or gateway/dist). */
const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(
  new URL('../../schema/supergraph.graphql', import.meta.url),
);

const subgraphUrl = (port: number) =>
  z.url({ protocol: /^https?$/ }).default(`http://127.0.0.1:${port}/graphql`);

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** HUB_INGEST_MAX_BYTES unless set: 256 MiB. */
export const DEFAULT_INGEST_MAX_BYTES = 268_435_456;

const OIDC_VARIABLES = ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'] as const;

/**
 * Express's `trust proxy` setting: `false` trusts no proxy (the client address is the peer's),
 * `true` every one, a number that many hops, a list the proxies at those addresses or ranges.
 */
export type TrustProxy = boolean | number | string[];

/** proxy-addr's names for address ranges (Express resolves them). */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why one entry of a HUB_TRUST_PROXY list is not an address, CIDR range or range name. */
function trustedProxyProblem(entry: string): string | null {
  if (entry === '') return 'an empty entry';
  if (PROXY_RANGE_NAMES.has(entry)) return null;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR range`;
  if (prefix === undefined) return null;
  const max = version === 4 ? 32 : 128;
  // Express refuses a zero prefix; netmasks (10.0.0.0/255.0.0.0) are left out for one spelling.
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) < 1 || Number(prefix) > max) {
    return `"${entry}" needs a prefix length from 1 to ${max}`;
  }
  return null;
}

/**
 * HUB_TRUST_PROXY: which proxies may tell the gateway the client's address (X-Forwarded-For).
 * Parsed here rather than handed to Express as written, so a typo fails start-up naming the
 * entry instead of silently trusting nothing (or everything).
 */
const trustProxySchema = z
  .string()
  .optional()
  .transform((raw, ctx): TrustProxy => {
    const value = (raw ?? '').trim().toLowerCase();
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    for (const problem of entries.map(trustedProxyProblem)) {
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          message: `${problem}: expected true, false, a hop count, or a comma list of IP addresses, CIDR ranges, loopback, linklocal and uniquelocal`,
        });
      }
    }
    return entries;
  });

/** The longest bootstrap administrator subject: it becomes the actor id, 100 characters in the audit log. */
const MAX_ADMIN_SUBJECT_LENGTH = 100;

/** HUB_ADMIN_SUBJECTS: a comma list of OIDC subjects; blanks between commas are ignored. */
const adminSubjectsSchema = z
  .string()
  .optional()
  .transform((raw, ctx): string[] => {
    const subjects = [...new Set((raw ?? '').split(',').map((subject) => subject.trim()))].filter(
      (subject) => subject !== '',
    );
    for (const subject of subjects) {
      if (subject.length > MAX_ADMIN_SUBJECT_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          message: `"${subject.slice(0, 20)}…" is longer than ${MAX_ADMIN_SUBJECT_LENGTH} characters (it is recorded as the actor in the audit log)`,
        });
      }
    }
    return subjects;
  });

/** The variables the gateway reads; `.env.example` must list each (a test checks). */
export const gatewayEnvSchema = hubEnvSchema
  .extend({
    PORT: portSchema(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    CASES_URL: subgraphUrl(4001),
    ESCALATIONS_URL: subgraphUrl(4002),
    PANELS_URL: subgraphUrl(4003),
    LEARNING_URL: subgraphUrl(4004),
    /** The composed supergraph the gateway serves; it never introspects subgraphs. */
    HUB_SUPERGRAPH_PATH: z.string().min(1).default(DEFAULT_SUPERGRAPH_PATH),
    /** External OIDC issuer (`iss` of its tokens); with the two below it replaces the embedded key. */
    OIDC_ISSUER: z.string().min(1).optional(),
    /** The `aud` the issuer puts in tokens meant for the hub. */
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * OIDC subjects (`sub`) that act as the hub's bootstrap administrator, as `token --admin`
     * does with the embedded key: with an external issuer there is otherwise no first ADMIN.
     */
    HUB_ADMIN_SUBJECTS: adminSubjectsSchema,
    /** Proxies whose X-Forwarded-For the gateway believes; unset trusts none. */
    HUB_TRUST_PROXY: trustProxySchema,
    /** Deepest selection nesting an operation may have. */
    HUB_MAX_DEPTH: positiveInt(10),
    /** Highest estimated cost an operation may have (the model: docs/limits.md). */
    HUB_MAX_COST: positiveInt(5000),
    /**
     * Largest body `POST /ingest/{plugin}` reads, in bytes (256 MiB). The body is streamed, never
     * held whole, so this bounds a run's length, not the gateway's memory.
     */
    HUB_INGEST_MAX_BYTES: positiveInt(DEFAULT_INGEST_MAX_BYTES),
  })
  .superRefine(
    (env, ctx) => {
      const set = OIDC_VARIABLES.filter((name) => env[name] !== undefined);
      if (set.length > 0 && set.length < OIDC_VARIABLES.length) {
        for (const name of OIDC_VARIABLES.filter((name) => env[name] === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `must be set with ${set.join(' and ')} (OIDC needs all three, or none for the embedded key)`,
          });
        }
      }
      if (set.length === 0 && env.HUB_ADMIN_SUBJECTS.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['HUB_ADMIN_SUBJECTS'],
          message:
            'needs an OIDC issuer (OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL); with the embedded key the administrator is `hub token --admin`',
        });
      }
    },
    // Run even when another variable is malformed, so every problem is reported at once.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;

/** The external issuer's settings, or null when the gateway verifies with its embedded key. */
export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Subjects whose tokens make the bootstrap administrator (HUB_ADMIN_SUBJECTS). @default [] */
  adminSubjects?: readonly string[];
}

export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  return parseConfig(gatewayEnvSchema, env);
}

export function oidcSettings(
  config: Partial<Pick<GatewayConfig, (typeof OIDC_VARIABLES)[number] | 'HUB_ADMIN_SUBJECTS'>>,
): OidcSettings | null {
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience, OIDC_JWKS_URL: jwksUrl } = config;
  return issuer && audience && jwksUrl
    ? { issuer, audience, jwksUrl, adminSubjects: config.HUB_ADMIN_SUBJECTS ?? [] }
    : null;
}

export function subgraphUrls(config: GatewayConfig) {
  return {
    cases: config.CASES_URL,
    escalations: config.ESCALATIONS_URL,
    panels: config.PANELS_URL,
    learning: config.LEARNING_URL,
  };
}
