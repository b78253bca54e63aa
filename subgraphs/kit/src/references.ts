import type { EntityManager } from '@mikro-orm/core';

// Building an Intl.DateTimeFormat costs far more than formatting with one: one serves every call.
const londonYear = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric' });

/** The board's local calendar year (Europe/London) for a reference allocated at `at`. */
export function referenceYear(at: Date): number {
  return Number(londonYear.format(at));
}

/**
 * Allocates the next human reference of a board, e.g. `CASE-2027-000123`, inside the caller's
 * transaction. The counter row is incremented by one upsert, which PostgreSQL serializes with a
 * row lock and SQLite with its write lock; if the transaction rolls back, so does the number, so
 * references have neither gaps nor duplicates.
 */
export async function allocateReference(
  em: EntityManager,
  boardId: string,
  prefix: string,
  at = new Date(),
): Promise<{ reference: string; year: number; number: number }> {
  const year = referenceYear(at);
  const rows = await em.getConnection().execute<{ last: number }[]>(
    `insert into reference_counter (board_id, prefix, year, last) values (?, ?, ?, 1)
     on conflict (board_id, prefix, year) do update set last = reference_counter.last + 1
     returning last`,
    [boardId, prefix, year],
    'all',
    em.getTransactionContext(),
  );
  const number = Number(rows[0]?.last);
  if (!Number.isInteger(number) || number < 1)
    throw new Error('reference counter returned no number');
  return { reference: `${prefix}-${year}-${String(number).padStart(6, '0')}`, year, number };
}
