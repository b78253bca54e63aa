import { createTokenVerifier, loadGatewayConfig } from '@hub/gateway';
import { generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { codes, startBareTestHub, type BareTestHub } from './support/hub.js';
import { startTestIssuer, type TestIssuer } from './support/oidc-issuer.js';

const ISSUER = 'https://login.northbridge.example/';
const AUDIENCE = 'safeguarding-hub';
/** The subject HUB_ADMIN_SUBJECTS names: the hub's first administrator under OIDC. */
const ADMIN_SUBJECT = 'idp|first-admin';

const ME = /* GraphQL */ `
  {
    me {
      id
      name
    }
  }
`;

const PRACTITIONER = /* GraphQL */ `
  query ($id: ID!) {
    practitioner(id: $id) {
      id
      externalSubject
    }
  }
`;

const CREATE_PRACTITIONER = /* GraphQL */ `
  mutation ($input: CreatePractitionerInput!) {
    createPractitioner(input: $input) {
      id
      externalSubject
    }
  }
`;

const SET_EXTERNAL_SUBJECT = /* GraphQL */ `
  mutation ($id: ID!, $subject: String) {
    setPractitionerExternalSubject(id: $id, externalSubject: $subject) {
      id
      externalSubject
    }
  }
`;

const SET_ACTIVE = /* GraphQL */ `
  mutation ($id: ID!, $active: Boolean!) {
    setPractitionerActive(id: $id, active: $active) {
      active
    }
  }
`;

/**
 * The hub as production runs it: behind a reverse proxy on this machine (HUB_TRUST_PROXY=loopback)
 * and verifying an identity provider's tokens: a real OIDC issuer's JWKS, served by the test.
 */
describe.each(databaseKinds)('behind a reverse proxy, with an OIDC issuer (%s)', (kind) => {
  let issuer: TestIssuer;
  let t: BareTestHub;
  let agencyId: string;
  /** A practitioner created with the external subject `idp|jo`. */
  let jo: string;

  const sign = (subject: string, key?: CryptoKey) => issuer.sign(subject, key);

  const auditOf = async (correlationId: string) =>
    (await t
      .db('cases')
      .orm.em.fork()
      .getConnection()
      .execute(
        'select action, actor_kind, actor_id, ip, entity_ids from audit_entry where correlation_id = ? order by seq',
        [correlationId],
      )) as {
      action: string;
      actor_kind: string;
      actor_id: string;
      ip: string | null;
      entity_ids: string | string[];
    }[];

  beforeAll(async () => {
    issuer = await startTestIssuer(ISSUER, AUDIENCE);
    // The settings as an operator writes them, through the gateway's own config parsing.
    const config = loadGatewayConfig({
      OIDC_ISSUER: ISSUER,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: issuer.jwksUrl,
      HUB_ADMIN_SUBJECTS: ADMIN_SUBJECT,
      HUB_TRUST_PROXY: 'loopback',
    });
    const verifier = await createTokenVerifier(config);
    expect(verifier.mode).toBe('oidc');
    t = await startBareTestHub(kind, { verifier, trustProxy: config.HUB_TRUST_PROXY });
  });
  afterAll(async () => {
    await t?.close();
    await issuer?.close();
  });

  it('lets the administrator subject build the directory, audited under its subject and the client address', async () => {
    const admin = await sign(ADMIN_SUBJECT);
    const board = await t.gql(
      admin,
      /* GraphQL */ `
        mutation {
          createBoard(input: { name: "Northbridge", region: "GB-ENG" }) {
            id
          }
        }
      `,
      {},
      // What the reverse proxy on 127.0.0.1 sends on behalf of the client at 203.0.113.7.
      { correlationId: 'oidc-create-board', headers: { 'x-forwarded-for': '203.0.113.7' } },
    );
    expect(board.errors).toBeUndefined();
    const agency = await t.gql(
      admin,
      /* GraphQL */ `
        mutation ($board: ID!) {
          createAgency(input: { boardId: $board, name: "Northbridge Police", kind: POLICE }) {
            id
          }
        }
      `,
      { board: board.data?.createBoard.id },
    );
    expect(agency.errors).toBeUndefined();
    agencyId = agency.data?.createAgency.id;
    const created = await t.gql(
      admin,
      CREATE_PRACTITIONER,
      {
        input: {
          agencyId,
          name: 'Jo Patel',
          email: 'jo.patel@police.example',
          roles: ['PRACTITIONER'],
          externalSubject: 'idp|jo',
        },
      },
      // A client-supplied entry first: only the address the trusted proxy saw counts.
      {
        correlationId: 'oidc-create-practitioner',
        headers: { 'x-forwarded-for': '198.51.100.66, 203.0.113.7' },
      },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createPractitioner.externalSubject).toBe('idp|jo');
    jo = created.data?.createPractitioner.id;

    expect(await auditOf('oidc-create-board')).toEqual([
      expect.objectContaining({
        action: 'board.create',
        actor_kind: 'admin',
        actor_id: ADMIN_SUBJECT,
        ip: '203.0.113.7',
      }),
    ]);
    expect(await auditOf('oidc-create-practitioner')).toEqual([
      expect.objectContaining({ action: 'practitioner.create', ip: '203.0.113.7' }),
    ]);
    // The administrator subject is no practitioner.
    expect(codes(await t.gql(admin, ME))).toEqual(['NOT_FOUND']);
  });

  it("answers a token with the practitioner's external subject with that practitioner", async () => {
    const token = await sign('idp|jo');
    const me = await t.gql(token, ME);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual({ id: jo, name: 'Jo Patel' });
    // Only an administrator sees the external subject.
    expect((await t.gql(token, PRACTITIONER, { id: jo })).data?.practitioner).toEqual({
      id: jo,
      externalSubject: null,
    });
    const asAdmin = await t.gql(await sign(ADMIN_SUBJECT), PRACTITIONER, { id: jo });
    expect(asAdmin.data?.practitioner.externalSubject).toBe('idp|jo');
  });

  it("refuses an unknown subject, and one that is the practitioner's id but not their subject", async () => {
    for (const subject of ['idp|nobody', jo, 'IDP|JO']) {
      const response = await t.gql(await sign(subject), ME);
      expect(response.status).toBe(401);
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('refuses a token the issuer did not sign', async () => {
    const stranger = (await generateKeyPair('ES256')).privateKey;
    const response = await t.gql(await sign('idp|jo', stranger), ME);
    expect(response.status).toBe(401);
  });

  it('refuses a deactivated practitioner on their next request', async () => {
    const admin = await sign(ADMIN_SUBJECT);
    const token = await sign('idp|jo');
    expect((await t.gql(admin, SET_ACTIVE, { id: jo, active: false })).errors).toBeUndefined();
    try {
      const refused = await t.gql(token, ME);
      expect(refused.status).toBe(401);
      expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await t.gql(admin, SET_ACTIVE, { id: jo, active: true });
    }
    expect(codes(await t.gql(token, ME))).toEqual([]);
  });

  it('lets an administrator change and clear the external subject, audited, effective at once', async () => {
    const admin = await sign(ADMIN_SUBJECT);
    const changed = await t.gql(
      admin,
      SET_EXTERNAL_SUBJECT,
      { id: jo, subject: 'idp|jo.patel' },
      { correlationId: 'oidc-set-subject' },
    );
    expect(changed.errors).toBeUndefined();
    expect(changed.data?.setPractitionerExternalSubject).toEqual({
      id: jo,
      externalSubject: 'idp|jo.patel',
    });
    expect((await t.gql(await sign('idp|jo'), ME)).status).toBe(401);
    expect((await t.gql(await sign('idp|jo.patel'), ME)).data?.me.id).toBe(jo);

    const cleared = await t.gql(
      admin,
      SET_EXTERNAL_SUBJECT,
      { id: jo, subject: null },
      { correlationId: 'oidc-clear-subject' },
    );
    expect(cleared.data?.setPractitionerExternalSubject.externalSubject).toBeNull();
    expect((await t.gql(await sign('idp|jo.patel'), ME)).status).toBe(401);

    const audited = [
      ...(await auditOf('oidc-set-subject')),
      ...(await auditOf('oidc-clear-subject')),
    ];
    expect(audited.map(({ action, actor_id }) => ({ action, actor_id }))).toEqual([
      { action: 'practitioner.set-external-subject', actor_id: ADMIN_SUBJECT },
      { action: 'practitioner.clear-external-subject', actor_id: ADMIN_SUBJECT },
    ]);
    // The audit log names the practitioner, never the subject.
    expect(JSON.stringify(audited)).not.toContain('idp|jo');

    const restored = await t.gql(admin, SET_EXTERNAL_SUBJECT, { id: jo, subject: 'idp|jo' });
    expect(restored.errors).toBeUndefined();
  });

  it('refuses a subject another practitioner has with CONFLICT naming the field', async () => {
    const admin = await sign(ADMIN_SUBJECT);
    const duplicate = await t.gql(admin, CREATE_PRACTITIONER, {
      input: {
        agencyId,
        name: 'Sam Okafor',
        email: 'sam.okafor@police.example',
        roles: ['PRACTITIONER'],
        externalSubject: 'idp|jo',
      },
    });
    expect(codes(duplicate)).toEqual(['CONFLICT']);
    expect(duplicate.errors?.[0]?.extensions?.field).toBe('input.externalSubject');

    const sam = await t.gql(admin, CREATE_PRACTITIONER, {
      input: {
        agencyId,
        name: 'Sam Okafor',
        email: 'sam.okafor@police.example',
        roles: ['PRACTITIONER'],
      },
    });
    expect(sam.data?.createPractitioner.externalSubject).toBeNull();
    const samId = sam.data?.createPractitioner.id;
    const taken = await t.gql(admin, SET_EXTERNAL_SUBJECT, { id: samId, subject: 'idp|jo' });
    expect(codes(taken)).toEqual(['CONFLICT']);
    expect(taken.errors?.[0]?.extensions?.field).toBe('externalSubject');
    // Setting a practitioner's own subject again is no conflict.
    expect(codes(await t.gql(admin, SET_EXTERNAL_SUBJECT, { id: jo, subject: 'idp|jo' }))).toEqual(
      [],
    );
  });

  it('refuses a blank, padded or overlong subject, and anyone but an administrator', async () => {
    const admin = await sign(ADMIN_SUBJECT);
    for (const subject of ['', '   ', ' idp|jo', 'idp|jo\n', 'x'.repeat(256)]) {
      const refused = await t.gql(admin, SET_EXTERNAL_SUBJECT, { id: jo, subject });
      expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors?.[0]?.extensions?.field).toBe('externalSubject');
    }
    const created = await t.gql(admin, CREATE_PRACTITIONER, {
      input: {
        agencyId,
        name: 'Ola Nowak',
        email: 'ola.nowak@police.example',
        roles: ['PRACTITIONER'],
        externalSubject: ' ',
      },
    });
    expect(codes(created)).toEqual(['BAD_USER_INPUT']);
    expect(created.errors?.[0]?.extensions?.field).toBe('input.externalSubject');

    const asJo = await t.gql(await sign('idp|jo'), SET_EXTERNAL_SUBJECT, {
      id: jo,
      subject: 'idp|mine',
    });
    expect(codes(asJo)).toEqual(['FORBIDDEN']);
  });
});
