import { AgencyKind, Role } from '@hub/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newInternalSecret, secretKey, signActor, verifyActor, type Actor } from './actor.js';

const actor: Actor = {
  kind: 'practitioner',
  id: 'p-1',
  roles: [Role.PRACTITIONER],
  agencyId: 'a-1',
  agencyKind: AgencyKind.POLICE,
  boardId: 'b-1',
};
const meta = { correlationId: 'c-1', ip: '10.0.0.1' };

describe('verifyActor', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('checks a header’s signature once, and gives each caller its own copy of the actor', async () => {
    const key = secretKey(newInternalSecret());
    const header = await signActor(key, actor, meta);
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    const first = await verifyActor(key, header);
    expect(first).toEqual({ actor, meta });
    first.actor.roles.push(Role.BOARD_MANAGER);
    first.meta.correlationId = 'changed';
    for (let i = 0; i < 4; i += 1) expect(await verifyActor(key, header)).toEqual({ actor, meta });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('checks it once for every subgraph of a process: each holds the same secret as a key of its own', async () => {
    const secret = newInternalSecret();
    const header = await signActor(secretKey(secret), actor, meta);
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    for (let i = 0; i < 4; i += 1) {
      expect(await verifyActor(secretKey(secret), header)).toEqual({ actor, meta });
    }
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses a header once it has expired, though it was verified before', async () => {
    const key = secretKey(newInternalSecret());
    const header = await signActor(key, actor, meta);
    await verifyActor(key, header);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 121_000);
    await expect(verifyActor(key, header)).rejects.toThrow(/exp/);
  });

  it('refuses a forged header, and a verified one under another key', async () => {
    const key = secretKey(newInternalSecret());
    const header = await signActor(key, actor, meta);
    await verifyActor(key, header);
    const [head, payload] = header.split('.');
    const admin = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        act: { ...actor, roles: [Role.BOARD_MANAGER] },
      }),
    ).toString('base64url');
    await expect(verifyActor(key, `${head}.${admin}.${header.split('.')[2]}`)).rejects.toThrow(
      /signature/,
    );
    await expect(verifyActor(secretKey(newInternalSecret()), header)).rejects.toThrow(/signature/);
    await expect(verifyActor(key, undefined)).rejects.toThrow(/missing/);
  });
});
