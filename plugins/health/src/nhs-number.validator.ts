/** The identifier system of the NHS number in England and Wales (UK Core). */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

/**
 * Why `value` is not a valid NHS number, or undefined when it is. The check digit is the
 * modulus 11 algorithm of the NHS Data Dictionary: the first nine digits are weighted 10 down to
 * 2 and summed, the check digit is 11 minus the sum modulo 11; 11 becomes 0, and 10 means no
 * number with those nine digits is valid.
 */
export function nhsNumberProblem(value: string): string | undefined {
  if (!/^\d{10}$/.test(value)) return 'NHS number must be 10 digits, without spaces';
  let sum = 0;
  for (let n = 0; n < 9; n++) sum += Number(value[n]) * (10 - n);
  const check = 11 - (sum % 11);
  if (check === 10) return 'NHS number fails its check digit';
  if ((check === 11 ? 0 : check) !== Number(value[9])) return 'NHS number fails its check digit';
  return undefined;
}
