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

/** The sort key of the hub's newest-first lists: a timestamp, then the id to break ties. */
export interface TimeCursor {
  at: Date;
  id: string;
}

export function parseTimeCursor(after: string, field = 'after'): TimeCursor {
  const [time, id] = decodeCursor(after, field);
  if (typeof time !== 'number' || typeof id !== 'string') {
    throw new BadUserInputError(field, 'is not a cursor this API issued');
  }
  return { at: new Date(time), id };
}

/**
 * Turns `size + 1` rows fetched newest first into a page: `size` edges, and whether more follow.
 */
export function toPage<T extends { id: string }>(
  rows: T[],
  size: number,
  timeOf: (row: T) => Date,
): {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
} {
  const edges = rows
    .slice(0, size)
    .map((node) => ({ cursor: encodeCursor([timeOf(node).getTime(), node.id]), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
