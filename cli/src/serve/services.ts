/**
 * The hub's services as an operator runs them in production: one process each, started with
 * `hub serve <name>` and configured by environment only. The five-process test starts them from
 * this list, and the deployment files (Dockerfile, docker-compose.yml, deploy/k8s) are checked
 * against it, so the three cannot drift apart.
 */
export const SERVICE_NAMES = ['gateway', 'cases', 'escalations', 'panels', 'learning'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceSpec {
  name: ServiceName;
  /** The variable that sets the port, and its default (api/README.md). */
  portVariable: string;
  defaultPort: number;
  /** The variable that sets the listening address (0.0.0.0 in a container). */
  hostVariable: string;
  /** Variables this service needs set in production, beyond the port and host. */
  required: readonly string[];
  /** Variables it also reads when set. */
  optional: readonly string[];
}

/** Read by every service. */
const SHARED_REQUIRED = ['HUB_INTERNAL_SECRET'] as const;
const SHARED_OPTIONAL = [
  'HUB_DATA_DIR',
  'HUB_INTERNAL_SECRET_FILE',
  'LOG_LEVEL',
  'HUB_BODY_LIMIT',
  'HUB_SHUTDOWN_TIMEOUT_MS',
] as const;
/** Read by every subgraph. */
const SUBGRAPH_REQUIRED = [...SHARED_REQUIRED, 'DATABASE_URL', 'HUB_BUS'] as const;
const SUBGRAPH_OPTIONAL = [...SHARED_OPTIONAL, 'HUB_BUS_PREFIX'] as const;

export const SERVICES: Record<ServiceName, ServiceSpec> = {
  gateway: {
    name: 'gateway',
    portVariable: 'PORT',
    defaultPort: 4000,
    hostVariable: 'HOST',
    required: [
      ...SHARED_REQUIRED,
      'CASES_URL',
      'ESCALATIONS_URL',
      'PANELS_URL',
      'LEARNING_URL',
      'OIDC_ISSUER',
      'OIDC_AUDIENCE',
      'OIDC_JWKS_URL',
    ],
    optional: [
      ...SHARED_OPTIONAL,
      'HUB_ADMIN_SUBJECTS',
      'HUB_TRUST_PROXY',
      'HUB_SUPERGRAPH_PATH',
      'HUB_MAX_DEPTH',
      'HUB_MAX_COST',
      'HUB_INGEST_MAX_BYTES',
    ],
  },
  cases: {
    name: 'cases',
    portVariable: 'CASES_PORT',
    defaultPort: 4001,
    hostVariable: 'CASES_HOST',
    required: SUBGRAPH_REQUIRED,
    optional: [...SUBGRAPH_OPTIONAL, 'CASES_DATABASE_URL'],
  },
  escalations: {
    name: 'escalations',
    portVariable: 'ESCALATIONS_PORT',
    defaultPort: 4002,
    hostVariable: 'ESCALATIONS_HOST',
    required: [...SUBGRAPH_REQUIRED, 'CASES_INTERNAL_URL', 'PANELS_INTERNAL_URL'],
    optional: [...SUBGRAPH_OPTIONAL, 'ESCALATIONS_DATABASE_URL', 'HUB_OVERDUE_INTERVAL_MS'],
  },
  panels: {
    name: 'panels',
    portVariable: 'PANELS_PORT',
    defaultPort: 4003,
    hostVariable: 'PANELS_HOST',
    required: [...SUBGRAPH_REQUIRED, 'CASES_INTERNAL_URL', 'ESCALATIONS_INTERNAL_URL'],
    optional: [...SUBGRAPH_OPTIONAL, 'PANELS_DATABASE_URL'],
  },
  learning: {
    name: 'learning',
    portVariable: 'LEARNING_PORT',
    defaultPort: 4004,
    hostVariable: 'LEARNING_HOST',
    required: [...SUBGRAPH_REQUIRED, 'CASES_INTERNAL_URL', 'ESCALATIONS_INTERNAL_URL'],
    optional: [...SUBGRAPH_OPTIONAL, 'LEARNING_DATABASE_URL'],
  },
};

/** The command that runs a service: in the image, `node cli/dist/main.js serve <name>`. */
export function serveCommand(name: ServiceName): string[] {
  return ['serve', name];
}
