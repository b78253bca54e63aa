import { describe, expect, it } from 'vitest';
import { nhsNumberProblem } from './nhs-number.validator.js';

describe('nhsNumberProblem', () => {
  it('accepts numbers whose check digit is right, including check digit 0 (sum mod 11 = 0)', () => {
    // 9000000009: the PDS sandbox's test patient; 9912003888: UK Core's Richard Smith;
    // 9000000130: its nine digits sum to 99, 99 mod 11 = 0, so the check is 11, written 0.
    for (const good of ['9000000009', '9912003888', '9434765919', '9000000130']) {
      expect(nhsNumberProblem(good), good).toBeUndefined();
    }
  });

  it('rejects a wrong check digit, naming the check digit', () => {
    expect(nhsNumberProblem('9000000008')).toBe('NHS number fails its check digit');
    // UK Core's BabyPatient example: its check digit is 6, not 0.
    expect(nhsNumberProblem('9912003890')).toBe('NHS number fails its check digit');
  });

  it('rejects nine digits whose check would be 10: no valid number starts with them', () => {
    // 1000000010's nine digits sum to 10·1 + 2·1 = 12 → 12 mod 11 = 1 → check 10.
    expect(nhsNumberProblem('1000000010')).toBe('NHS number fails its check digit');
    expect(nhsNumberProblem('1000000011')).toBe('NHS number fails its check digit');
  });

  it('rejects anything but ten digits', () => {
    for (const bad of ['900000000', '90000000090', '900 000 0009', '90000000O9', '']) {
      expect(nhsNumberProblem(bad), bad).toBe('NHS number must be 10 digits, without spaces');
    }
  });
});
