/**
 * The deployment files against the service list the hub itself runs from
 * (cli/src/serve/services.ts): the Dockerfile, docker-compose.yml and deploy/k8s must start each
 * service the same way, on its port, with every variable it needs and none it does not know.
 * Static: no container engine or cluster is needed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '@hub/kit';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  SERVICE_NAMES,
  SERVICES,
  serveCommand,
  type ServiceName,
  type ServiceSpec,
} from '../cli/src/serve/services.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const K8S_DIR = join(ROOT, 'deploy/k8s');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Read by Node or its libraries rather than the hub's config; allowed in any service. */
const PROCESS_VARIABLES = ['NODE_ENV'];
const SUBGRAPHS = SERVICE_NAMES.filter((name) => name !== 'gateway');

function allowedVariables(spec: ServiceSpec): Set<string> {
  return new Set([
    ...spec.required,
    ...spec.optional,
    spec.portVariable,
    spec.hostVariable,
    ...PROCESS_VARIABLES,
  ]);
}

/** What `hub migrate` needs: the database every subgraph requires (DATABASE_URL). */
const MIGRATE_REQUIRED = [
  ...new Set(
    SUBGRAPHS.flatMap((name) => SERVICES[name].required).filter((v) => v.endsWith('DATABASE_URL')),
  ),
];
/** `hub migrate` reads the subgraphs' settings. */
const MIGRATE_ALLOWED = new Set([
  ...SUBGRAPHS.flatMap((name) => [...allowedVariables(SERVICES[name])]),
]);

/** "15s", "1m30s", "500ms" (compose durations) in milliseconds. */
function durationMs(value: string): number {
  let total = 0;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const rest = value.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, amount: string, unit: string) => {
    total += Number(amount) * units[unit]!;
    return '';
  });
  if (rest !== '' || value === '') throw new Error(`not a compose duration: ${value}`);
  return total;
}

/** Every `http(s)://<service>:<port>` in the values must use that service's port. */
function expectUrlsToUseServicePorts(env: Record<string, string | null | undefined>) {
  for (const [variable, value] of Object.entries(env)) {
    const match = /^https?:\/\/([a-z0-9-]+)(?::(\d+))?/.exec(value ?? '');
    if (!match || !(SERVICE_NAMES as readonly string[]).includes(match[1]!)) continue;
    const target = SERVICES[match[1] as ServiceName];
    expect(match[2], `${variable}=${value}: ${target.name} listens on ${target.defaultPort}`).toBe(
      String(target.defaultPort),
    );
  }
}

/** The gateway reaches each subgraph at `<NAME>_URL`, its GraphQL endpoint. */
function expectGatewaySubgraphUrls(env: Record<string, string | null | undefined>) {
  for (const name of SUBGRAPHS) {
    const spec = SERVICES[name];
    const variable = spec.portVariable.replace(/_PORT$/, '_URL');
    expect(SERVICES.gateway.required, `the gateway's URL of ${name}`).toContain(variable);
    expect(env[variable], variable).toBe(`http://${name}:${spec.defaultPort}/graphql`);
  }
}

// --- docker-compose.yml ---------------------------------------------------------------------

/** Interpolation: `${VAR:-default}` → default; anything else as written. */
function composeValue(value: string | null | undefined): string | null | undefined {
  const match = /^\$\{\w+:?-([^}]*)\}$/.exec(value ?? '');
  return match ? match[1] : value;
}

/** A compose `environment` (map or KEY=value list); `null` means "from the operator's env". */
function composeEnv(service: any): Record<string, string | null> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry: string) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, value === null ? null : String(value)]),
  );
}

function dependencies(service: any): Record<string, string> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) {
    return Object.fromEntries(dependsOn.map((name: string) => [name, 'service_started']));
  }
  return Object.fromEntries(
    Object.entries(dependsOn).map(([name, spec]: [string, any]) => [
      name,
      spec?.condition ?? 'service_started',
    ]),
  );
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as any;
const hubImage = compose.services.migrate?.image;

describe('docker-compose.yml', () => {
  it('runs the migrations once, with the database, before any service', () => {
    const migrate = compose.services.migrate;
    expect(migrate, 'a migrate service').toBeDefined();
    expect(migrate.command).toEqual(['migrate']);
    expect(migrate.entrypoint).toBeUndefined();
    expect(['no', undefined]).toContain(migrate.restart);
    const env = composeEnv(migrate);
    for (const variable of MIGRATE_REQUIRED) expect(env[variable], variable).toBeTruthy();
    for (const variable of Object.keys(env)) {
      expect(
        MIGRATE_ALLOWED.has(variable),
        `migrate sets ${variable}, which no subgraph reads`,
      ).toBe(true);
    }
  });

  it('publishes only the gateway', () => {
    for (const [name, service] of Object.entries<any>(compose.services)) {
      if (name === 'gateway') continue;
      expect(service.ports, `${name} publishes a port`).toBeUndefined();
    }
  });

  it('builds every hub service from the one image', () => {
    expect(hubImage).toBeTruthy();
    expect(compose.services.migrate.build).toBeTruthy();
    for (const name of SERVICE_NAMES) {
      expect(compose.services[name]?.image, name).toBe(hubImage);
    }
  });

  describe.each(SERVICE_NAMES)('%s', (name) => {
    const spec = SERVICES[name];
    const service = compose.services[name];
    const env = service ? composeEnv(service) : {};

    it('runs `serve <name>` from the image', () => {
      expect(service, `compose service ${name}`).toBeDefined();
      expect(service.command).toEqual(serveCommand(name));
      expect(service.entrypoint, 'the image ENTRYPOINT is used').toBeUndefined();
    });

    it('listens on its port on every interface', () => {
      const port = composeValue(env[spec.portVariable]);
      if (port !== undefined) expect(port, spec.portVariable).toBe(String(spec.defaultPort));
      expect(composeValue(env[spec.hostVariable]), spec.hostVariable).toBe('0.0.0.0');
      if (name === 'gateway') {
        const published = (service.ports ?? []).map((entry: any) =>
          typeof entry === 'object' ? String(entry.target) : String(entry).split(':').at(-1),
        );
        expect(published).toEqual([String(spec.defaultPort)]);
      }
    });

    it('sets every required variable and nothing the service does not read', () => {
      for (const variable of spec.required) {
        expect(env[variable], `${name} needs ${variable}`).toBeTruthy();
      }
      const allowed = allowedVariables(spec);
      for (const variable of Object.keys(env)) {
        expect(allowed.has(variable), `${name} does not read ${variable}`).toBe(true);
      }
      expectUrlsToUseServicePorts(env);
      if (name === 'gateway') expectGatewaySubgraphUrls(env);
    });

    it('checks /readyz on its port', () => {
      const test = [service.healthcheck?.test ?? []].flat().join(' ');
      expect(test).toContain(`:${spec.defaultPort}/readyz`);
    });

    it('waits for the migrations', () => {
      const seen = new Set<string>();
      const visit = (current: string) => {
        for (const [dependency, condition] of Object.entries(
          dependencies(compose.services[current]),
        )) {
          if (dependency === 'migrate') {
            expect(condition, `${current} → migrate`).toBe('service_completed_successfully');
          }
          if (!seen.has(dependency)) {
            seen.add(dependency);
            visit(dependency);
          }
        }
      };
      visit(name);
      expect([...seen]).toContain('migrate');
    });

    it('is given longer to stop than its shutdown timeout', () => {
      const timeout = Number(
        composeValue(env.HUB_SHUTDOWN_TIMEOUT_MS) ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
      );
      expect(durationMs(String(service.stop_grace_period ?? '10s'))).toBeGreaterThan(timeout);
    });
  });
});

// --- deploy/k8s -----------------------------------------------------------------------------

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? yamlFiles(join(dir, entry.name))
      : /\.ya?ml$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

interface Manifest {
  file: string;
  doc: any;
}

/** Every Kubernetes object under deploy/k8s (the kustomizations are read on their own). */
const manifests: Manifest[] = yamlFiles(K8S_DIR)
  .filter((path) => !path.endsWith('kustomization.yaml'))
  .flatMap((path) => {
    const file = posix.normalize(relative(K8S_DIR, path).split('\\').join('/'));
    return parseAllDocuments(readFileSync(path, 'utf8'))
      .map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
        return document.toJS();
      })
      .filter((doc) => doc !== null)
      .map((doc) => ({ file, doc }));
  });

const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind);
const named = (kind: string, name: string) =>
  ofKind(kind).find((m) => m.doc.metadata?.name === name)?.doc;

/** The container's environment with ConfigMap and Secret references resolved to their values. */
function k8sEnv(container: any): Record<string, string> {
  const env: Record<string, string> = {};
  const source = (kind: 'ConfigMap' | 'Secret', name: string) => {
    const doc = named(kind, name);
    if (!doc) throw new Error(`${container.name}: no ${kind} ${name} under deploy/k8s`);
    return kind === 'Secret' ? { ...doc.data, ...doc.stringData } : (doc.data ?? {});
  };
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const data = source(from.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
    for (const [key, value] of Object.entries(data))
      env[`${from.prefix ?? ''}${key}`] = String(value);
  }
  for (const entry of container.env ?? []) {
    if (entry.valueFrom) {
      const ref = entry.valueFrom.configMapKeyRef ?? entry.valueFrom.secretKeyRef;
      if (!ref) throw new Error(`${container.name}: ${entry.name} comes from neither kind of map`);
      const data = source(entry.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret', ref.name);
      if (ref.key in data) env[entry.name] = String(data[ref.key]);
      else if (!ref.optional) throw new Error(`${container.name}: ${ref.name} has no ${ref.key}`);
    } else {
      env[entry.name] = String(entry.value ?? '');
    }
  }
  return env;
}

/** A probe's or Service's port (a number or the container port's name) as a number. */
function portNumber(container: any, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p: any) => p.name === port)?.containerPort;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  return (
    selector !== undefined &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => labels[key] === value)
  );
}

/** Seconds a container's preStop hook may take before SIGTERM. */
function preStopSeconds(container: any): number {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return 0;
  if (preStop.sleep) return Number(preStop.sleep.seconds);
  const command: string[] = preStop.exec?.command ?? [];
  if (command[0] === 'sleep') return Number(command[1]);
  throw new Error(`${container.name}: a preStop hook of unknown length`);
}

const kustomization = parse(read('deploy/k8s/kustomization.yaml'));
const migrateKustomization = parse(read('deploy/k8s/migrate/kustomization.yaml'));
const job = ofKind('Job')[0]?.doc;
const imageName = kustomization.images?.[0]?.name;

describe('deploy/k8s', () => {
  it('applies every manifest from a kustomization, except the examples', () => {
    const listed = [
      ...kustomization.resources,
      ...migrateKustomization.resources.map((file: string) => `migrate/${file}`),
    ].map((file: string) => posix.normalize(file));
    const files = [...new Set(manifests.map((m) => m.file))];
    for (const file of listed) expect(files, `${file} is listed`).toContain(file);
    for (const file of files) {
      if (!file.endsWith('.example.yaml')) expect(listed, `${file} is applied`).toContain(file);
    }
  });

  it('puts everything in the one namespace', () => {
    const namespace = kustomization.namespace;
    expect(named('Namespace', namespace), `Namespace ${namespace}`).toBeDefined();
    expect(migrateKustomization.namespace).toBe(namespace);
    for (const { file, doc } of manifests) {
      if (doc.kind === 'Namespace') continue;
      expect(doc.metadata?.namespace, `${file} ${doc.kind}`).toBe(namespace);
    }
  });

  it('runs the services and the migrations from the same image', () => {
    expect(imageName).toBeTruthy();
    expect(migrateKustomization.images).toEqual(kustomization.images);
    const images = [...ofKind('Deployment'), ...ofKind('Job')].flatMap(({ doc }) =>
      doc.spec.template.spec.containers.map((c: any) => c.image),
    );
    expect(images.length).toBeGreaterThan(SERVICE_NAMES.length);
    for (const image of images) expect(image).toBe(imageName);
  });

  it('has a Secret template with placeholders only', () => {
    const secrets = ofKind('Secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const { file, doc } of secrets) {
      expect(file).toMatch(/\.example\.yaml$/);
      for (const value of Object.values<string>({ ...doc.stringData, ...doc.data })) {
        expect(value).toMatch(/REPLACE/);
      }
    }
  });

  it('migrates with a Job running `migrate` with the database', () => {
    expect(job, 'a migrate Job').toBeDefined();
    const [container, ...others] = job.spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(container.args).toEqual(['migrate']);
    expect(container.command).toBeUndefined();
    expect(['Never', 'OnFailure']).toContain(job.spec.template.spec.restartPolicy);
    const env = k8sEnv(container);
    for (const variable of MIGRATE_REQUIRED) expect(env[variable], variable).toBeTruthy();
    for (const variable of Object.keys(env)) {
      expect(
        MIGRATE_ALLOWED.has(variable),
        `migrate sets ${variable}, which no subgraph reads`,
      ).toBe(true);
    }
  });

  describe.each(SERVICE_NAMES)('%s', (name) => {
    const spec = SERVICES[name];
    const deployment = named('Deployment', name);
    const pod = deployment?.spec.template.spec;
    const container = pod?.containers[0];
    const labels = deployment?.spec.template.metadata.labels ?? {};

    it('runs `serve <name>` from the image, in at least two replicas', () => {
      expect(deployment, `Deployment ${name}`).toBeDefined();
      expect(pod.containers).toHaveLength(1);
      expect(container.args).toEqual(serveCommand(name));
      expect(container.command, 'the image ENTRYPOINT is used').toBeUndefined();
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      expect(selects(deployment.spec.selector.matchLabels, labels)).toBe(true);
    });

    it('listens on its port on every interface', () => {
      const env = k8sEnv(container);
      expect(container.ports.map((p: any) => p.containerPort)).toEqual([spec.defaultPort]);
      expect(env[spec.portVariable], spec.portVariable).toBe(String(spec.defaultPort));
      expect(env[spec.hostVariable], spec.hostVariable).toBe('0.0.0.0');
    });

    it('sets every required variable and nothing the service does not read', () => {
      const env = k8sEnv(container);
      for (const variable of spec.required) {
        expect(env[variable], `${name} needs ${variable}`).toBeTruthy();
      }
      const allowed = allowedVariables(spec);
      for (const variable of Object.keys(env)) {
        expect(allowed.has(variable), `${name} does not read ${variable}`).toBe(true);
      }
      expectUrlsToUseServicePorts(env);
      if (name === 'gateway') expectGatewaySubgraphUrls(env);
    });

    it('is ready on /readyz and alive on /healthz, on its port', () => {
      const probe = (kind: string, path: string) => {
        const httpGet = container[kind]?.httpGet;
        expect(httpGet?.path, kind).toBe(path);
        expect(portNumber(container, httpGet.port), `${kind} port`).toBe(spec.defaultPort);
      };
      probe('readinessProbe', '/readyz');
      probe('livenessProbe', '/healthz');
      if (container.startupProbe) probe('startupProbe', '/healthz');
    });

    it('has requests and limits, and runs as non-root on a read-only filesystem', () => {
      for (const kind of ['requests', 'limits']) {
        expect(container.resources?.[kind]?.cpu, `${kind}.cpu`).toBeTruthy();
        expect(container.resources?.[kind]?.memory, `${kind}.memory`).toBeTruthy();
      }
      const runAsNonRoot =
        container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      expect(runAsNonRoot).toBe(true);
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    });

    it('is given longer to stop than the preStop pause and its shutdown timeout', () => {
      const env = k8sEnv(container);
      const timeout = Number(env.HUB_SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      expect(grace * 1000).toBeGreaterThan(preStopSeconds(container) * 1000 + timeout);
    });

    it('has a ClusterIP Service on its port', () => {
      const service = named('Service', name);
      expect(service, `Service ${name}`).toBeDefined();
      expect(['ClusterIP', undefined]).toContain(service.spec.type);
      expect(selects(service.spec.selector, labels), 'the Service selects the pods').toBe(true);
      expect(service.spec.ports).toHaveLength(1);
      const [port] = service.spec.ports;
      expect(port.port).toBe(spec.defaultPort);
      expect(portNumber(container, port.targetPort ?? port.port)).toBe(spec.defaultPort);
    });

    it('keeps one pod through voluntary disruptions', () => {
      const budgets = ofKind('PodDisruptionBudget').filter(({ doc }) =>
        selects(doc.spec.selector?.matchLabels, labels),
      );
      expect(budgets, `a PodDisruptionBudget for ${name}`).toHaveLength(1);
      const minAvailable = budgets[0]!.doc.spec.minAvailable;
      expect(minAvailable).toBe(1);
      expect(deployment.spec.replicas, 'a drain can evict a pod').toBeGreaterThan(minAvailable);
    });
  });
});

// --- Dockerfile -----------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (current === '' && trimmed === '')) continue;
    const continued = line.trimEnd().endsWith('\\');
    current += continued ? line.trimEnd().slice(0, -1) : line;
    if (continued) continue;
    const match = /^\s*(\w+)\s+([\s\S]*)$/.exec(current);
    if (!match) throw new Error(`Dockerfile: cannot read "${current}"`);
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim() });
    current = '';
  }
  return instructions;
}

function dockerfileStages(text: string): Stage[] {
  const globals: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of dockerfileInstructions(text)) {
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [key, value = ''] = instruction.args.split('=');
      globals[key!] = value;
    } else if (instruction.keyword === 'FROM') {
      const words = instruction.args
        .replace(/\$\{?(\w+)\}?/g, (_, key: string) => globals[key] ?? '')
        .split(/\s+/)
        .filter((word) => !word.startsWith('--'));
      stages.push({ base: words[0]!, name: words[2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const stages = dockerfileStages(read('Dockerfile'));
const stageNames = new Set(stages.map((stage) => stage.name));
const finalStage = stages.at(-1)!;
/** A stage and the stages it is built FROM, oldest first. */
function chain(stage: Stage): Stage[] {
  const parent = stages.find((s) => s.name === stage.base);
  return parent ? [...chain(parent), stage] : [stage];
}
const runs = (stage: Stage) =>
  chain(stage).flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
const last = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
const workspaces: string[] = JSON.parse(read('package.json')).workspaces;
interface PackageFile {
  name: string;
  dependencies?: Record<string, string>;
}
const packageFiles = new Map(
  workspaces.map((workspace) => [
    workspace,
    JSON.parse(read(`${workspace}/package.json`)) as PackageFile,
  ]),
);
/**
 * The workspaces the image runs: cli (its entry point) and every workspace it depends on,
 * transitively. The others (bench) are for development only and must have no production
 * dependencies, so `npm ci --omit=dev` installs nothing for them.
 */
const shipped = (() => {
  const byName = new Map(
    [...packageFiles].map(([workspace, manifest]) => [manifest.name, workspace]),
  );
  const found = new Set<string>();
  const visit = (workspace: string) => {
    if (found.has(workspace)) return;
    found.add(workspace);
    for (const name of Object.keys(packageFiles.get(workspace)!.dependencies ?? {})) {
      const dependency = byName.get(name);
      if (dependency) visit(dependency);
    }
  };
  visit('cli');
  return found;
})();

describe('Dockerfile', () => {
  it('builds on Node 24 slim and runs on the same image', () => {
    const bases = stages.map((s) => s.base).filter((base) => !stageNames.has(base));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:24[-.:@\w]*slim/);
    expect(new Set(bases).size, 'one base image').toBe(1);
    expect(stageNames.has(finalStage.base)).toBe(false);
  });

  it('installs with npm ci from the lockfile and builds with npm run build', () => {
    const all = stages.flatMap((s) => s.instructions);
    expect(all.some((i) => i.keyword === 'COPY' && i.args.includes('package-lock.json'))).toBe(
      true,
    );
    for (const workspace of workspaces) {
      const manifest = `${workspace}/package.json`;
      expect(
        all.some((i) => i.keyword === 'COPY' && i.args.split(/\s+/).includes(manifest)),
        `${manifest} is copied before npm ci`,
      ).toBe(true);
    }
    const build = stages.find((s) => runs(s).some((run) => run.includes('npm run build')));
    expect(build, 'a stage running npm run build').toBeDefined();
    expect(runs(build!).some((run) => /\bnpm ci\b/.test(run))).toBe(true);
    for (const run of stages.flatMap(runs)) expect(run).not.toMatch(/\bnpm (install|i)\b/);
  });

  it('ships the compiled packages and production dependencies only', () => {
    const copies = finalStage.instructions.filter((i) => i.keyword === 'COPY');
    const from = (i: Instruction) => /--from=(\S+)/.exec(i.args)?.[1];
    for (const copy of copies) expect(from(copy), `COPY ${copy.args}`).toBeDefined();
    const sources = (i: Instruction) =>
      i.args
        .split(/\s+/)
        .filter((word) => !word.startsWith('--'))
        .slice(0, -1)
        .map((path) => posix.normalize(path.replace(/^\/app\/?/, '') || '.'));
    const copied = copies.flatMap(sources);
    expect(shipped.has('gateway') && shipped.has('subgraphs/learning')).toBe(true);
    for (const workspace of shipped) expect(copied, workspace).toContain(`${workspace}/dist`);
    for (const workspace of workspaces.filter((w) => !shipped.has(w))) {
      expect(copied, `${workspace} is not run by the image`).not.toContain(`${workspace}/dist`);
      expect(
        packageFiles.get(workspace)!.dependencies ?? {},
        `${workspace} is for development only: its dependencies are devDependencies`,
      ).toEqual({});
    }
    expect(copied).toContain('schema/supergraph.graphql');
    for (const copy of copies) {
      const stage = stages.find((s) => s.name === from(copy))!;
      const productionOnly = runs(stage).some((run) => run.includes('--omit=dev'));
      for (const source of sources(copy)) {
        const built = /\/dist$/.test(source) || source === 'schema/supergraph.graphql';
        expect(built || productionOnly, `${source} from ${stage.name} has dev dependencies`).toBe(
          true,
        );
      }
    }
  });

  it('runs `node cli/dist/main.js serve gateway` as a non-root user in production mode', () => {
    expect(JSON.parse(last(finalStage, 'ENTRYPOINT') ?? 'null')).toEqual([
      'node',
      'cli/dist/main.js',
    ]);
    expect(existsSync(join(ROOT, 'cli/src/main.ts'))).toBe(true);
    expect(JSON.parse(last(finalStage, 'CMD') ?? 'null')).toEqual(serveCommand('gateway'));
    const user = last(finalStage, 'USER');
    expect(user, 'a USER in the final stage').toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(
      finalStage.instructions.some(
        (i) => i.keyword === 'ENV' && /NODE_ENV=production/.test(i.args),
      ),
    ).toBe(true);
    expect(last(finalStage, 'STOPSIGNAL')).toBe('SIGTERM');
    const exposed = (last(finalStage, 'EXPOSE') ?? '').split(/\s+/);
    for (const name of SERVICE_NAMES) expect(exposed).toContain(String(SERVICES[name].defaultPort));
  });

  it('checks /readyz on the port of the service it runs, from the service list', () => {
    const healthcheck = last(finalStage, 'HEALTHCHECK') ?? '';
    expect(healthcheck).toContain('/readyz');
    const module = /'(\/app\/cli\/dist\/[\w/.-]+\.js)'/.exec(healthcheck)?.[1];
    expect(module, 'the compiled service list').toBeDefined();
    expect(last(finalStage, 'WORKDIR')).toBe('/app');
    const source = module!.replace('/app/cli/dist/', 'cli/src/').replace(/\.js$/, '.ts');
    expect(source).toBe('cli/src/serve/services.ts');
    expect(existsSync(join(ROOT, source))).toBe(true);
    expect(healthcheck).toMatch(/portVariable/);
    expect(healthcheck).toMatch(/defaultPort/);
  });

  it('keeps installed, built and secret files out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim().replace(/^\*\*\//, ''));
    for (const entry of ['node_modules', 'dist', '.data', '.git', '.env']) {
      expect(ignored, entry).toContain(entry);
    }
  });
});

// --- docs/deploy.md -------------------------------------------------------------------------

describe('docs/deploy.md', () => {
  it('describes every variable a service reads', () => {
    const docs = read('docs/deploy.md');
    const variables = new Set(
      SERVICE_NAMES.flatMap((name) => [...allowedVariables(SERVICES[name])]),
    );
    for (const variable of variables) {
      expect(docs, variable).toMatch(new RegExp(`^\\|\\s*\`${variable}\``, 'm'));
    }
  });
});
