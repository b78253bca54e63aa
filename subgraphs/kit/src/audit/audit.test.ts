import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openKitDatabase } from '../../../../test/support/databases.js';
import { type HubDatabase } from '../db.js';
import type { Actor } from '../actor.js';
import { appendAudit, verifyAuditChain } from './audit.js';

const actor: Actor = {
  kind: 'practitioner',
  id: 'p-1',
  roles: [],
  agencyId: 'a-1',
  agencyKind: null,
  boardId: 'b-1',
};
const meta = { correlationId: 'c-1', ip: '127.0.0.1' };

describe.each(databaseKinds)('audit log on %s', (kind) => {
  let db: HubDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openKitDatabase(kind, 'audit'));
  });
  afterAll(() => close());

  it('chains entries, including concurrent ones, and verifies intact', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        appendAudit(db.orm.em.fork(), actor, meta, {
          action: 'case.read',
          entityType: 'Case',
          entityIds: [`c-${i}`],
        }),
      ),
    );
    expect(await verifyAuditChain(db.orm.em.fork())).toEqual({ ok: true, entries: 10 });
  });

  it('finds an entry altered in the database', async () => {
    const connection = db.orm.em.getConnection();
    await connection.execute(`update audit_entry set actor_id = 'someone-else' where seq = 4`);
    const result = await verifyAuditChain(db.orm.em.fork(), 3);
    expect(result).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('finds an entry removed from the middle of the chain', async () => {
    const connection = db.orm.em.getConnection();
    await connection.execute(`update audit_entry set actor_id = 'p-1' where seq = 4`);
    expect((await verifyAuditChain(db.orm.em.fork())).ok).toBe(true);
    await connection.execute(`delete from audit_entry where seq = 7`);
    expect(await verifyAuditChain(db.orm.em.fork())).toMatchObject({ ok: false, brokenAt: 8 });
  });
});
