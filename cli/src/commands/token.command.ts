import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Practitioner } from '@hub/cases';
import {
  EMBEDDED_TOKEN_DEFAULT_LIFETIME,
  EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS,
  embeddedKeyFile,
  loadEmbeddedKey,
  mintToken,
  tokenLifetimeSeconds,
} from '@hub/gateway';
import { createLogger, openDatabase, type DatabaseTarget } from '@hub/kit';
import type { CliConfig } from '../config.js';
import { subgraphTargets } from '../targets.js';

const MAX_DAYS = EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS / 86_400;
const USAGE =
  'usage: hub token (--admin | --practitioner <id>) [--ttl <duration>]\n' +
  `  --ttl   how long the token lives: 30m, 8h, 2d … ` +
  `(default ${EMBEDDED_TOKEN_DEFAULT_LIFETIME}, at most ${MAX_DAYS}d)`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Request = { admin: true; ttl: string } | { admin: false; id: string; ttl: string };

/** The command line, or null when it is not one this command takes. */
function parseRequest(args: string[]): Request | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        admin: { type: 'boolean' },
        practitioner: { type: 'string' },
        ttl: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch {
    return null;
  }
  const ttl = values.ttl ?? EMBEDDED_TOKEN_DEFAULT_LIFETIME;
  if (values.admin && values.practitioner === undefined) return { admin: true, ttl };
  if (!values.admin && values.practitioner) return { admin: false, id: values.practitioner, ttl };
  return null;
}

/** Where a database is, for a message: the file, or the URL without credentials and the schema. */
function whereIs(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return resolve(target.file);
  const url = new URL(target.url);
  url.username = '';
  url.password = '';
  url.search = '';
  return `${url.href} (schema ${target.schema})`;
}

type Lookup =
  | { kind: 'found'; practitioner: Pick<Practitioner, 'name' | 'active'> }
  | { kind: 'unknown' }
  | { kind: 'no-directory' };

/**
 * Reads one practitioner from the cases subgraph's database, as `hub audit verify` reads the audit
 * log: the command works whether or not the hub is running and needs no port. Read-only: a
 * missing SQLite file is reported, never created, and nothing is migrated.
 */
async function lookUpPractitioner(target: DatabaseTarget, id: string): Promise<Lookup> {
  if (target.kind === 'sqlite' && !existsSync(target.file)) return { kind: 'no-directory' };
  const db = await openDatabase({
    target,
    entities: [Practitioner],
    migrations: [],
    // stdout carries the token alone (`ADMIN=$(npm run --silent token -- --admin)`): no log lines.
    log: createLogger('hub', 'silent'),
    migrate: false,
  });
  try {
    const practitioner = await db.orm.em.fork().findOne(Practitioner, { id });
    return practitioner ? { kind: 'found', practitioner } : { kind: 'unknown' };
  } catch (error) {
    // A database the hub has not migrated yet has no directory in it.
    if (error instanceof Error && error.name === 'TableNotFoundException') {
      return { kind: 'no-directory' };
    }
    throw error;
  } finally {
    await db.close();
  }
}

/**
 * Prints a bearer token from the embedded key; the token alone goes to stdout, as its last (and
 * only) line, so that `$(…)` captures it. Exit 2 for a command line it does not take (or a hub
 * configured for an OIDC issuer, whose tokens come from the issuer); exit 1 when it refuses: a
 * lifetime over the ceiling, an id that is no active practitioner's, or no key to sign with. It
 * never creates the key: a key the running hub did not create signs tokens that hub refuses.
 */
export async function tokenCommand(args: string[], config: CliConfig): Promise<number> {
  const request = parseRequest(args);
  if (!request) {
    console.error(USAGE);
    return 2;
  }
  if (config.gateway.OIDC_ISSUER) {
    console.error(
      'The hub is configured for an external OIDC issuer (OIDC_ISSUER); get tokens from it.',
    );
    return 2;
  }
  const lifetime = tokenLifetimeSeconds(request.ttl);
  if (lifetime === null || lifetime <= 0) {
    console.error(`--ttl ${request.ttl}: write a duration like 30m, 8h or 2d.\n${USAGE}`);
    return 2;
  }
  if (lifetime > EMBEDDED_TOKEN_MAX_LIFETIME_SECONDS) {
    console.error(
      `--ttl ${request.ttl} is longer than a token may live (${MAX_DAYS}d): the hub would ` +
        `refuse it. Mint a shorter one, and a new one when it expires.`,
    );
    return 1;
  }
  if (!request.admin && !UUID.test(request.id)) {
    console.error(
      `"${request.id}" is not a practitioner id: ids are UUIDs (like ` +
        `3f0c9b52-8d3e-4a4e-9d7b-1c2a3b4c5d6e). \`npm start\` prints every practitioner's id ` +
        `in a table when it starts; copy one from there.`,
    );
    return 1;
  }

  const dataDir = config.hub.HUB_DATA_DIR;
  const key = await loadEmbeddedKey(dataDir);
  if (!key) {
    console.error(
      `No signing key at ${resolve(embeddedKeyFile(dataDir))}: only the hub creates it, when it ` +
        `first starts with this HUB_DATA_DIR. Start the hub (\`npm start\`), or set ` +
        `HUB_DATA_DIR to the data folder of the hub you are running.`,
    );
    return 1;
  }

  if (request.admin) {
    console.error(`Token for the bootstrap administrator, valid for ${request.ttl}:`);
    console.log(await mintToken(key, { admin: true, expiresIn: request.ttl }));
    return 0;
  }
  // UUIDs are case-insensitive; the directory stores them in lower case.
  const id = request.id.toLowerCase();
  const target = subgraphTargets(config).cases;
  const where = whereIs(target);
  const lookup = await lookUpPractitioner(target, id);
  if (lookup.kind === 'no-directory') {
    console.error(
      `No directory at ${where}: the hub creates it when it first starts with this ` +
        `configuration (\`npm start\`). Start the hub, or point HUB_DATA_DIR (or DATABASE_URL) ` +
        `at the running hub's.`,
    );
    return 1;
  }
  if (lookup.kind === 'unknown') {
    console.error(
      `No practitioner with id ${id} in the directory at ${where}. Copy an id from the table ` +
        `\`npm start\` printed, and check that HUB_DATA_DIR is the running hub's.`,
    );
    return 1;
  }
  if (!lookup.practitioner.active) {
    console.error(
      `${lookup.practitioner.name} (${id}) is deactivated in the directory at ${where}: the hub ` +
        `refuses their tokens. An administrator reactivates them with ` +
        `setPractitionerActive(id, active: true).`,
    );
    return 1;
  }
  console.error(`Token for ${lookup.practitioner.name}, valid for ${request.ttl}:`);
  console.log(await mintToken(key, { subject: id, expiresIn: request.ttl }));
  return 0;
}
