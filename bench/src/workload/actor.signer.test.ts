import { newInternalSecret, secretKey, verifyActor, type Actor } from '@hub/kit';
import { describe, expect, it } from 'vitest';
import { actorHeaderSigner, unverifiedSubject } from './actor.signer.js';

const actor: Actor = {
  kind: 'practitioner',
  id: '3f1c2f4e-9a7b-4c55-8d0e-2b6f1a9c7e10',
  roles: ['PRACTITIONER'],
  agencyId: 'a7d7c1c2-0f1e-4a8b-9c3d-5e6f7a8b9c0d',
  agencyKind: 'POLICE',
  boardId: 'b1b2b3b4-c5c6-4d7d-8e8e-9f9fa0a1a2a3',
} as Actor;

describe('actorHeaderSigner', () => {
  it("makes a header the subgraphs' verifyActor accepts, with the actor and correlation id", async () => {
    const secret = newInternalSecret();
    const header = actorHeaderSigner(secret)(actor, 'wl-1-case-page-ours-7');
    const verified = await verifyActor(secretKey(secret), header);
    expect(verified.actor).toEqual(actor);
    expect(verified.meta).toEqual({ correlationId: 'wl-1-case-page-ours-7', ip: null });
  });

  it('is refused under another secret', async () => {
    const header = actorHeaderSigner(newInternalSecret())(actor, 'x');
    await expect(verifyActor(secretKey(newInternalSecret()), header)).rejects.toThrow();
  });

  it('refuses a short secret, as the kit does', () => {
    expect(() => actorHeaderSigner('too short')).toThrow(/at least 32 characters/);
  });
});

describe('unverifiedSubject', () => {
  it("reads a bearer token's sub without checking the signature", () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'someone' })).toString('base64url');
    expect(unverifiedSubject(`Bearer e30.${payload}.c2ln`)).toBe('someone');
  });

  it('answers null for anything else', () => {
    expect(unverifiedSubject(undefined)).toBeNull();
    expect(unverifiedSubject('Basic abc')).toBeNull();
    expect(unverifiedSubject('Bearer not-a-jwt')).toBeNull();
    expect(unverifiedSubject('Bearer a.bm90IGpzb24.c')).toBeNull();
  });
});
