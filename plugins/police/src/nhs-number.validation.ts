/**
 * The NHS number's check digit (NHS Data Dictionary, "NHS Number"): the first nine digits are
 * weighted 10 down to 2 and summed; 11 minus the sum modulo 11 is the check digit, where 11
 * counts as 0 and 10 means the number is not valid.
 */
export function nhsCheckDigit(nineDigits: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

/** An NHS number as sources write it (`943 476 5919`, `943-476-5919`), as its 10 digits. */
export function normalNhsNumber(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/** Whether 10 digits (see {@link normalNhsNumber}) make an NHS number with a valid check digit. */
export function isValidNhsNumber(digits: string): boolean {
  return /^\d{10}$/.test(digits) && nhsCheckDigit(digits) === Number(digits[9]);
}
