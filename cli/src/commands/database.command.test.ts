import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit, createLogger, KIT_ENTITIES, kitMigration, openDatabase } from '@hub/kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCliConfig } from '../config.js';
import { auditVerifyCommand, migrateCommand } from './database.command.js';

describe('hub migrate and hub audit verify', () => {
  let dir: string;
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates every subgraph, then finds an audit entry altered in the database', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-cli-'));
    const config = loadCliConfig({ HUB_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    // Before anything exists, verifying creates nothing.
    expect(await auditVerifyCommand(config)).toBe(0);
    expect(out.mock.calls.flat().join('\n')).toMatch(/cases: no database yet/);
    expect(existsSync(join(dir, 'cases.sqlite'))).toBe(false);

    expect(await migrateCommand(config)).toBe(0);
    expect(out.mock.calls.flat().join('\n')).toMatch(/cases: applied .*kit.*cases_initial/);
    expect(await migrateCommand(config)).toBe(0);
    expect(out.mock.calls.flat().join('\n')).toMatch(/cases: up to date/);

    const db = await openDatabase({
      target: { kind: 'sqlite', file: join(dir, 'cases.sqlite') },
      entities: KIT_ENTITIES,
      migrations: [kitMigration],
      log: createLogger('test', 'silent'),
      migrate: false,
    });
    const actor = {
      kind: 'admin' as const,
      id: 'admin',
      roles: [],
      agencyId: null,
      agencyKind: null,
      boardId: null,
    };
    for (const id of ['a', 'b', 'c']) {
      await appendAudit(
        db.orm.em.fork(),
        actor,
        { correlationId: id, ip: null },
        { action: 'case.read', entityType: 'Case', entityIds: [id] },
      );
    }
    expect(await auditVerifyCommand(config)).toBe(0);
    expect(out.mock.calls.flat().join('\n')).toMatch(/cases: audit chain intact \(3 entries\)/);

    await db.orm.em
      .getConnection()
      .execute(`update audit_entry set entity_ids = '["z"]' where seq = 2`);
    await db.close();
    expect(await auditVerifyCommand(config)).toBe(1);
    expect(err.mock.calls.flat().join('\n')).toMatch(/cases: audit chain BROKEN at entry 2/);
  });
});
