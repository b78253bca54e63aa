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

const OIDC_VARIABLES = ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'] as const;

const gatewayEnvSchema = hubEnvSchema
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
    /** Deepest selection nesting an operation may have. */
    HUB_MAX_DEPTH: positiveInt(10),
    /** Highest estimated cost (graphql-armor's cost model) an operation may have. */
    HUB_MAX_COST: positiveInt(5000),
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
}

export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  return parseConfig(gatewayEnvSchema, env);
}

export function oidcSettings(
  config: Partial<Pick<GatewayConfig, (typeof OIDC_VARIABLES)[number]>>,
): OidcSettings | null {
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience, OIDC_JWKS_URL: jwksUrl } = config;
  return issuer && audience && jwksUrl ? { issuer, audience, jwksUrl } : null;
}

export function subgraphUrls(config: GatewayConfig) {
  return {
    cases: config.CASES_URL,
    escalations: config.ESCALATIONS_URL,
    panels: config.PANELS_URL,
    learning: config.LEARNING_URL,
  };
}
