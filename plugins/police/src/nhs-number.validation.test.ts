import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, nhsCheckDigit, normalNhsNumber } from './nhs-number.validation.js';

describe('NHS number check digit', () => {
  it('accepts published valid numbers', () => {
    // The NHS Data Dictionary's example (943 476 5919) and NHS England's test number 401 023 2137.
    expect(isValidNhsNumber(normalNhsNumber('943 476 5919'))).toBe(true);
    expect(isValidNhsNumber('4010232137')).toBe(true);
  });

  it('computes the check digit with weights 10 to 2, modulus 11', () => {
    // 9·10 + 4·9 + 3·8 + 4·7 + 7·6 + 6·5 + 5·4 + 9·3 + 1·2 = 299; 299 mod 11 = 2; 11 − 2 = 9.
    expect(nhsCheckDigit('943476591')).toBe(9);
    // The same digits ending in 0 sum to 297 = 27·11: 11 − 0 = 11, which counts as 0.
    expect(nhsCheckDigit('943476590')).toBe(0);
    expect(isValidNhsNumber('9434765900')).toBe(true);
  });

  it('rejects a wrong check digit, a check digit of 10, and anything but 10 digits', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    // 1·10 + 2·9 + … + 9·2 = 210; 11 − 210 mod 11 = 10: no number with these nine digits is valid.
    expect(nhsCheckDigit('123456789')).toBeUndefined();
    expect(isValidNhsNumber('1234567890')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    expect(isValidNhsNumber('94347659199')).toBe(false);
    expect(isValidNhsNumber('94347659l9')).toBe(false);
  });
});
