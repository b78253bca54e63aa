import { BadUserInputError } from './errors.js';

/** Largest page a connection serves. */
export const MAX_PAGE_SIZE = 100;

/** An opaque cursor: base64url of the JSON of the sort key of the last row. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new BadUserInputError(field, 'is not a cursor this API issued');
}

export function pageSize(first: number | undefined | null, field = 'first'): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(field, `must be a whole number from 0 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}
