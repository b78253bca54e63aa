import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES, serveCommand, type ServiceName } from '@hub/cli';
import { ACTOR_HEADER, newInternalSecret, secretKey, signActor } from '@hub/kit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, testNatsUrl } from './support/config.js';
import { codes, eventually, postGraphQL } from './support/hub.js';
import { startTestIssuer, type TestIssuer } from './support/oidc-issuer.js';
import {
  killAll,
  listeningUrl,
  startProcess,
  userEnvironment,
  type HubProcess,
} from './support/process.js';
import { tcpProxy } from './support/tcp-proxy.js';

/**
 * The hub as production runs it: `hub migrate`, then the gateway and the four subgraphs as five
 * processes (`hub serve <name>`, configured by environment only, as SERVICES lists it and the
 * deployment files use it), on PostgreSQL and NATS JetStream, with an OIDC issuer. Runs where
 * both servers are configured (.ci/run sets them).
 */
const SHUTDOWN_BOUND_MS = 10_000;

/** A port free right now: escalations and panels each need the other's URL before both listen. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const ADMIN_SUBJECT = 'idp|hub-admin';

describe.runIf(testDatabaseUrl && testNatsUrl)('five processes on PostgreSQL and NATS', () => {
  const id = randomBytes(4).toString('hex');
  const database = `hub_topology_${id}`;
  const aloneDatabase = `${database}_alone`;
  const busPrefix = `topology${id}`;
  const processes: HubProcess[] = [];
  let databaseUrl: string;
  let issuer: TestIssuer;
  let secretDir: string;
  let secret: string;
  let gatewayUrl: string;
  let panelsBase: string;
  const urls: Partial<Record<ServiceName, string>> = {};
  /** What each service was started with, to hold against SERVICES (and so the deploy files). */
  const environments: { name: ServiceName; env: Record<string, string> }[] = [];
  let learningPort: string;
  /** What the learning service needs besides the shared settings: its port and its peers. */
  const learningSettings = () => ({
    LEARNING_PORT: learningPort,
    CASES_INTERNAL_URL: urls.cases!.replace(/\/graphql$/, ''),
    ESCALATIONS_INTERNAL_URL: urls.escalations!.replace(/\/graphql$/, ''),
  });

  const admin = (query: string, variables: Record<string, unknown> = {}) =>
    issuer.sign(ADMIN_SUBJECT).then((token) => postGraphQL(gatewayUrl, token, query, variables));

  /** Only what SERVICES says the service reads, plus the port and the listening address. */
  function serviceEnvironment(name: ServiceName, settings: Record<string, string>) {
    const spec = SERVICES[name];
    const env = { [spec.portVariable]: '0', [spec.hostVariable]: '127.0.0.1', ...settings };
    environments.push({ name, env });
    return env;
  }

  async function serve(name: ServiceName, settings: Record<string, string>): Promise<HubProcess> {
    const env = serviceEnvironment(name, settings);
    const hub = startProcess(process.execPath, ['cli/dist/main.js', ...serveCommand(name)], {
      ...userEnvironment(env),
    });
    processes.push(hub);
    return hub;
  }

  function subgraphSettings(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: databaseUrl,
      HUB_BUS: testNatsUrl!,
      HUB_BUS_PREFIX: busPrefix,
      // Both ways of passing the secret are production ways: a variable, or a mounted file.
      HUB_INTERNAL_SECRET_FILE: join(secretDir, 'internal-secret'),
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  async function startSubgraph(
    name: Exclude<ServiceName, 'gateway'>,
    extra: Record<string, string> = {},
  ) {
    const hub = await serve(name, subgraphSettings(extra));
    return { hub, url: await listeningUrl(hub, 'subgraph listening') };
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`create database "${database}"`);
    await admin.end();
    const url = new URL(testDatabaseUrl!);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    issuer = await startTestIssuer();
    secretDir = mkdtempSync(join(tmpdir(), 'hub-topology-'));
    secret = newInternalSecret();
    writeFileSync(join(secretDir, 'internal-secret'), secret, { mode: 0o600 });

    const migrate = startProcess(
      process.execPath,
      ['cli/dist/main.js', 'migrate'],
      userEnvironment({ DATABASE_URL: databaseUrl }),
    );
    processes.push(migrate);
    expect((await migrate.exited).code, migrate.lines.join('\n')).toBe(0);

    const cases = await startSubgraph('cases');
    urls.cases = cases.url;
    const casesBase = cases.url.replace(/\/graphql$/, '');
    panelsBase = `http://127.0.0.1:${await freePort()}`;
    // The overdue scheduler runs every second, so both replicas scan while the test waits.
    const escalationSettings = {
      CASES_INTERNAL_URL: casesBase,
      PANELS_INTERNAL_URL: panelsBase,
      HUB_OVERDUE_INTERVAL_MS: '1000',
    };
    urls.escalations = (await startSubgraph('escalations', escalationSettings)).url;
    urls.panels = (
      await startSubgraph('panels', {
        PANELS_PORT: new URL(panelsBase).port,
        CASES_INTERNAL_URL: casesBase,
        ESCALATIONS_INTERNAL_URL: urls.escalations.replace(/\/graphql$/, ''),
      })
    ).url;
    // A fixed port, so the test can stop learning and start it again where the gateway looks.
    learningPort = String(await freePort());
    urls.learning = (await startSubgraph('learning', learningSettings())).url;
    const gateway = await serve('gateway', {
      CASES_URL: urls.cases,
      ESCALATIONS_URL: urls.escalations,
      PANELS_URL: urls.panels,
      LEARNING_URL: urls.learning,
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: issuer.audience,
      OIDC_JWKS_URL: issuer.jwksUrl,
      HUB_ADMIN_SUBJECTS: ADMIN_SUBJECT,
      HUB_INTERNAL_SECRET: secret,
      LOG_LEVEL: 'info',
    });
    gatewayUrl = await listeningUrl(gateway, 'gateway listening');
  });

  afterAll(async () => {
    killAll(processes);
    await issuer?.close();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
    const nc = await connect({ servers: testNatsUrl! });
    const jsm = await jetstreamManager(nc);
    for (const stream of [`${busPrefix.toUpperCase()}_EVENTS`, `${busPrefix.toUpperCase()}_PARKED`])
      await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    for (const name of [database, aloneDatabase])
      await client.query(`drop database if exists "${name}" with (force)`);
    await client.end();
  });

  /** A board with police, social care and health, each with a practitioner known by subject. */
  let worlds = 0;
  async function createWorld(disclosureThreshold = 5) {
    const n = (worlds += 1);
    const board = await admin(
      `mutation ($t: Int) { createBoard(input: { name: "Wirral", region: "GB-ENG", disclosureThreshold: $t }) { id } }`,
      { t: disclosureThreshold },
    );
    expect(board.errors).toBeUndefined();
    const boardId = board.data!.createBoard.id as string;
    const person = async (kind: string, label: string, roles: string[]) => {
      const agency = await admin(
        `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`,
        { input: { boardId, name: `Wirral ${label}`, kind } },
      );
      expect(agency.errors, JSON.stringify(agency.errors)).toBeUndefined();
      const subject = `idp|${label.toLowerCase().replace(/\W+/g, '-')}-${n}`;
      const practitioner = await admin(
        `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { id } }`,
        {
          input: {
            agencyId: agency.data!.createAgency.id,
            name: `${label} practitioner`,
            email: `${subject.slice(4)}-${id}@wirral.example`,
            roles,
            externalSubject: subject,
          },
        },
      );
      expect(practitioner.errors, JSON.stringify(practitioner.errors)).toBeUndefined();
      return {
        id: practitioner.data!.createPractitioner.id as string,
        agencyId: agency.data!.createAgency.id as string,
        token: () => issuer.sign(subject),
      };
    };
    return {
      boardId,
      police: await person('POLICE', 'Police', ['PRACTITIONER']),
      socialCare: await person('CHILDRENS_SOCIAL_CARE', 'Social care', ['PRACTITIONER']),
      manager: await person('OTHER', 'Business unit', ['BOARD_MANAGER']),
      panellists: [
        await person('HEALTH', 'Health', ['PANEL_MEMBER']),
        await person('EDUCATION', 'School', ['PANEL_MEMBER']),
        await person('HOUSING', 'Housing', ['PANEL_MEMBER']),
      ],
    };
  }

  async function raiseOnNewCase(world: Awaited<ReturnType<typeof createWorld>>, n: number) {
    const police = await world.police.token();
    const created = await postGraphQL(
      gatewayUrl,
      police,
      `mutation ($input: CreateCaseInput!) { createCase(input: $input) { id } }`,
      {
        input: {
          boardId: world.boardId,
          planType: 'CHILD_IN_NEED',
          involvedAgencyIds: [],
          child: { name: `Topology child ${n}` },
        },
      },
    );
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    const caseId = created.data!.createCase.id as string;
    const raised = await postGraphQL(
      gatewayUrl,
      police,
      `mutation ($input: RaiseEscalationInput!) { raiseEscalation(input: $input) { id } }`,
      {
        input: {
          caseId,
          respondingAgencyId: world.socialCare.agencyId,
          category: 'LEVELS_OF_NEED',
          ground: 'DECISION_CHALLENGE',
          summary: 'Police consider the threshold for a strategy discussion is met.',
          desiredOutcome: 'A strategy discussion this week.',
        },
      },
    );
    expect(raised.errors, JSON.stringify(raised.errors)).toBeUndefined();
    return { caseId, escalationId: raised.data!.raiseEscalation.id as string };
  }

  it('starts each service with only the variables its SERVICES entry names', () => {
    expect(environments.map((e) => e.name).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const { name, env } of environments) {
      const spec = SERVICES[name];
      const known = [spec.portVariable, spec.hostVariable, ...spec.required, ...spec.optional];
      for (const variable of Object.keys(env)) expect(known, name).toContain(variable);
      for (const variable of spec.required) {
        const viaFile = variable === 'HUB_INTERNAL_SECRET' && 'HUB_INTERNAL_SECRET_FILE' in env;
        expect(variable in env || viaFile, `${name} needs ${variable}`).toBe(true);
      }
    }
  });

  it('carries a cross-subgraph flow over NATS: the responding agency then sees the case', async () => {
    const world = await createWorld();
    const { caseId } = await raiseOnNewCase(world, 1);
    // EscalationRaised travels escalations → NATS → cases, which involves the responding agency.
    await eventually(async () => {
      const seen = await postGraphQL(
        gatewayUrl,
        await world.socialCare.token(),
        `query ($id: ID!) { case(id: $id) { id involvedAgencies { id } } }`,
        { id: caseId },
      );
      expect(seen.errors, JSON.stringify(seen.errors)).toBeUndefined();
      expect(seen.data!.case.involvedAgencies.map((a: { id: string }) => a.id)).toContain(
        world.socialCare.agencyId,
      );
    }, 15_000);
  });

  it('resolves an escalation by a panel decision across the processes, over NATS', async () => {
    const world = await createWorld();
    const { escalationId } = await raiseOnNewCase(world, 100);
    const police = await world.police.token();
    const call = async (token: string, query: string, variables: Record<string, unknown>) => {
      const response = await postGraphQL(gatewayUrl, token, query, variables);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      return response.data!;
    };
    // Up the stages to the resolution panel, recording the work done at each.
    let version = 1;
    for (let stage = 1; stage < 4; stage += 1) {
      await call(
        police,
        `mutation ($input: AddEscalationRecordInput!) { addEscalationRecord(input: $input) { id } }`,
        { input: { escalationId, kind: 'DISCUSSION', text: `Discussed at stage ${stage}.` } },
      );
      const up = await call(
        police,
        `mutation ($input: EscalateInput!) { escalateEscalation(input: $input) { version } }`,
        { input: { escalationId, reason: 'No agreement.', expectedVersion: version } },
      );
      version = up.escalateEscalation.version;
    }
    const manager = await world.manager.token();
    const convened = await call(
      manager,
      `mutation ($input: ConvenePanelInput!) {
         conveneResolutionPanel(input: $input) { id compositionNotes } }`,
      {
        input: {
          escalationId,
          memberIds: world.panellists.map((p) => p.id),
          chairId: world.panellists[0]!.id,
        },
      },
    );
    // Neither concerned agency has a panel member: the notes say so.
    expect(convened.conveneResolutionPanel.compositionNotes).toHaveLength(2);
    const panelId = convened.conveneResolutionPanel.id as string;
    await call(
      await world.panellists[0]!.token(),
      `mutation ($input: RecordPanelDecisionInput!) { recordPanelDecision(input: $input) { status } }`,
      {
        input: { panelId, summary: 'Strategy discussion needed.', nextCourseOfAction: 'Hold it.' },
      },
    );
    await eventually(async () => {
      const seen = await call(
        police,
        `query ($id: ID!) { escalation(id: $id) { status outcome { agreedAtStage } panel { status } } }`,
        { id: escalationId },
      );
      expect(seen.escalation).toEqual({
        status: 'RESOLVED',
        outcome: { agreedAtStage: 4 },
        panel: { status: 'DECIDED' },
      });
    }, 15_000);
  }, 30_000);

  it('reports each overdue stage exactly once with two replicas of the escalations subgraph', async () => {
    const replica = await startSubgraph('escalations', {
      CASES_INTERNAL_URL: urls.cases!.replace(/\/graphql$/, ''),
      PANELS_INTERNAL_URL: panelsBase,
      HUB_OVERDUE_INTERVAL_MS: '1000',
    });
    expect(replica.url).not.toBe(urls.escalations);
    const world = await createWorld();
    const raised = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => raiseOnNewCase(world, n)));
    const ids = raised.map((r) => r.escalationId);

    // Time passes: the stages fall due, as three working days would make them.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(
        `update escalations.escalation_stage set due_at = now() - interval '1 hour'
          where escalation_id = any($1) and completed_at is null`,
        [ids],
      );
      await client.query(
        `update escalations.escalation set current_stage_due_at = now() - interval '1 hour'
          where id = any($1)`,
        [ids],
      );
      // Both replicas have scanned several times by now.
      await eventually(async () => {
        const { rows } = await client.query(
          `select aggregate_id, count(*)::int as n from escalations.outbox_event
            where type = 'StageOverdue' and aggregate_id = any($1) group by aggregate_id`,
          [ids],
        );
        expect(rows).toHaveLength(ids.length);
      }, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const { rows } = await client.query(
        `select aggregate_id, count(*)::int as n from escalations.outbox_event
          where type = 'StageOverdue' and aggregate_id = any($1) group by aggregate_id`,
        [ids],
      );
      expect(rows.map((row) => row.n)).toEqual(ids.map(() => 1));
    } finally {
      await client.end();
    }
    const manager = await world.manager.token();
    const overdue = await postGraphQL(
      gatewayUrl,
      manager,
      `query ($b: ID!) { escalations(filter: { boardId: $b, overdue: true }, first: 50) { totalCount } }`,
      { b: world.boardId },
    );
    expect(overdue.errors, JSON.stringify(overdue.errors)).toBeUndefined();
    expect(overdue.data!.escalations.totalCount).toBe(ids.length);

    const exit = await replica.hub.stop('SIGTERM');
    expect(exit, replica.hub.lines.slice(-5).join('\n')).toMatchObject({ code: 0 });
  });

  it('counts escalations in the statistics over NATS, also those raised while learning was stopped', async () => {
    const world = await createWorld(1);
    const other = await createWorld(1);
    const manager = await world.manager.token();
    const stats = async () => {
      const response = await postGraphQL(
        gatewayUrl,
        manager,
        `query ($b: ID!) { escalationStats(filter: { boardId: $b }) {
           total byRaisingAgencyKind { key count } byRespondingAgencyKind { key count }
           byHighestStage { key count } } }`,
        { b: world.boardId },
      );
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      return response.data!.escalationStats;
    };
    const count = (buckets: { key: string; count: number }[], key: string) =>
      buckets.find((b) => b.key === key)?.count;
    for (const n of [201, 202, 203]) await raiseOnNewCase(world, n);
    await raiseOnNewCase(other, 204);
    await eventually(async () => expect((await stats()).total).toBe(3), 15_000);

    const learning = processes.find(
      (p) => p.child.exitCode === null && p.child.spawnargs.join(' ').endsWith('serve learning'),
    )!;
    expect((await learning.stop('SIGTERM')).code).toBe(0);
    // Escalations go on while learning is down: their events wait in JetStream for its consumer.
    for (const n of [205, 206, 207, 208]) await raiseOnNewCase(world, n);
    await startSubgraph('learning', learningSettings());

    await eventually(async () => {
      const figures = await stats();
      expect(figures.total).toBe(7);
      expect(count(figures.byRaisingAgencyKind, 'POLICE')).toBe(7);
      expect(count(figures.byRespondingAgencyKind, 'CHILDRENS_SOCIAL_CARE')).toBe(7);
      expect(count(figures.byHighestStage, '1')).toBe(7);
    }, 20_000);
  }, 60_000);

  it('refuses an unknown subject through the separate gateway', async () => {
    const stranger = await postGraphQL(
      gatewayUrl,
      await issuer.sign('idp|nobody'),
      '{ me { id } }',
    );
    expect(stranger.status).toBe(401);
    expect(codes(stranger)).toEqual(['UNAUTHENTICATED']);
  });

  it('exits 1 within the bound, with one line, when the bus is gone and the outbox cannot be flushed', async () => {
    const nats = await tcpProxy(testNatsUrl!);
    // A database of its own: replicas share an outbox, and the running cases service (with the bus
    // at hand) would publish this one's event for it, as it should, and this one would stop cleanly.
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`create database "${aloneDatabase}"`);
    await admin.end();
    const cases = await startSubgraph('cases', {
      DATABASE_URL: Object.assign(new URL(databaseUrl), {
        pathname: `/${aloneDatabase}`,
      }).toString(),
      HUB_BUS: nats.url,
      HUB_SHUTDOWN_TIMEOUT_MS: '5000',
    });
    nats.cut();
    // A change whose event cannot reach the bus: it waits in the outbox.
    const actor = {
      kind: 'admin',
      id: 'admin',
      roles: ['ADMIN'],
      agencyId: null,
      agencyKind: null,
      boardId: null,
    } as const;
    const response = await fetch(cases.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [ACTOR_HEADER]: await signActor(secretKey(secret), actor as never, {
          correlationId: `topology-${id}`,
          ip: null,
        }),
      },
      body: JSON.stringify({
        query: 'mutation { createBoard(input: { name: "Cut off", region: "GB-ENG" }) { id } }',
      }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();

    const exit = await cases.hub.stop('SIGTERM');
    expect(exit.code, cases.hub.lines.join('\n')).toBe(1);
    expect(exit.ms).toBeLessThan(5000 + 1000);
    const errors = cases.hub.logs().filter((entry) => entry.level >= 50);
    expect(errors, JSON.stringify(errors)).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/outbox|within 5000 ms/);
  });

  it('exits 1 within the bound, with one line, when the database is gone', async () => {
    const postgres = await tcpProxy(databaseUrl);
    const learning = await startSubgraph('learning', {
      ...learningSettings(),
      LEARNING_PORT: '0',
      DATABASE_URL: postgres.url,
      HUB_SHUTDOWN_TIMEOUT_MS: '5000',
    });
    postgres.cut();
    const exit = await learning.hub.stop('SIGTERM');
    expect(exit.code, learning.hub.lines.join('\n')).toBe(1);
    expect(exit.ms).toBeLessThan(5000 + 1000);
    expect(learning.hub.logs().filter((entry) => entry.level >= 50)).toHaveLength(1);
  });

  it('stops every service cleanly on SIGTERM, with the gateway keeping connections to subgraphs', async () => {
    const running = processes.filter(
      (p) => p.child.exitCode === null && p.child.signalCode === null,
    );
    expect(running.length).toBe(5);
    const exits = await Promise.all(running.map((p) => p.stop('SIGTERM')));
    for (const [i, exit] of exits.entries()) {
      expect(exit, running[i]!.lines.slice(-5).join('\n')).toMatchObject({ code: 0 });
      expect(exit.ms).toBeLessThan(SHUTDOWN_BOUND_MS);
    }
  });
});
