import { describe, expect, it } from 'vitest';
import { checkUpn, upnCheckLetter } from './upn.validation.js';

describe('UPN check letter', () => {
  // The examples of the DfE's "Unique Pupil Numbers (UPNs)" guidance (permanent, wrong check
  // letter, temporary), as the DfE's own pupil-registration service tests them.
  it('accepts the guidance examples of a permanent and a temporary UPN', () => {
    expect(checkUpn('H801200001001')).toEqual({ ok: true, upn: 'H801200001001', temporary: false });
    expect(checkUpn('G80120000101A')).toEqual({ ok: true, upn: 'G80120000101A', temporary: true });
  });

  it("rejects the guidance's example of a wrong check letter", () => {
    expect(checkUpn('Z801200001001')).toEqual({ ok: false, message: 'UPN fails its check letter' });
  });

  // python-stdnum's stdnum.gb.upn documents these two.
  it('agrees with a second published pair', () => {
    expect(checkUpn('B801200005001').ok).toBe(true);
    expect(checkUpn('A801200005001')).toEqual({ ok: false, message: 'UPN fails its check letter' });
  });

  it('weighs characters 2–13 by 2–13 and reads the sum modulo 23 through the letter table', () => {
    // 8·2 + 1·4 + 2·5 + 1·11 + 1·13 = 54; 54 mod 23 = 8 → J (I is not used).
    expect(upnCheckLetter('801200000101')).toBe('J');
    // A temporary UPN's final letter counts as its value in the table: Z = 22, 22·13 = 286.
    expect(upnCheckLetter('00000000000Z')).toBe('ABCDEFGHJKLMNPQRTUVWXYZ'[286 % 23]);
    expect(upnCheckLetter('H801200001001')).toBe('H');
  });

  it('forgives spaces and lower case, nothing else', () => {
    expect(checkUpn(' h801200001001 ')).toMatchObject({ ok: true, upn: 'H801200001001' });
    const shape = /^UPN must be 13 characters/;
    for (const bad of [
      'H80120000100',
      'H8012000010011',
      'H80120000X001',
      'I801200001001',
      'G80120000101O',
      '',
    ]) {
      const result = checkUpn(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.message).toMatch(shape);
    }
  });
});
