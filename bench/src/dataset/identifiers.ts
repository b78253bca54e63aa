/**
 * Children's identifiers, unique per board by construction rather than by luck: the n-th child
 * of a board gets a number from a bijection of n, so a million children never collide (random
 * 9-digit numbers would, hundreds of times).
 */

/** The NHS number of the n-th candidate: 10 digits with a valid modulus-11 check digit, or null. */
export function nhsNumber(board: number, n: number): string | null {
  // 9 digits: a board prefix, then n scrambled by an affine map (a bijection mod 10^7).
  const body = `${4 + (board % 6)}${String(board % 10)}${String((n * 7_654_321 + 1_234_567) % 10_000_000).padStart(7, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(body[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return null;
  return `${body}${check === 11 ? 0 : check}`;
}

const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * A permanent UPN: check letter, a 3-digit local authority number (the board's), a 4-digit
 * establishment number, a 2-digit year of issue and a 3-digit serial, all drawn from n.
 */
export function upn(board: number, n: number): string {
  const authority = String(300 + (board % 700)).padStart(3, '0');
  const establishment = String(2000 + (Math.floor(n / 100_000) % 8000)).padStart(4, '0');
  const year = String(10 + (Math.floor(n / 1000) % 100))
    .padStart(2, '0')
    .slice(-2);
  const serial = String(n % 1000).padStart(3, '0');
  const body = `${authority}${establishment}${year}${serial}`;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(body[i]) * (i + 2);
  return `${UPN_LETTERS[sum % 23]}${body}`;
}
