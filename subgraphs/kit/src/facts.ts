import type { Response } from 'express';
import { isUuid } from './text.js';

/**
 * Most distinct ids of one kind an internal facts route (`/internal/facts`,
 * `/internal/escalation-facts`) answers in one request. The facts loaders split a larger batch
 * into calls of at most this many ({@link FACT_LOADER_OPTIONS}); a request asking more is refused
 * with 400, never answered in part.
 */
export const MAX_FACT_IDS = 500;

/** DataLoader options for a loader over an internal facts route: batches the route answers whole. */
export const FACT_LOADER_OPTIONS = { maxBatchSize: MAX_FACT_IDS } as const;

/**
 * The distinct UUIDs a facts request's `body` asks for under each of `kinds` (anything else in a
 * list names nothing and is dropped, as an unknown id is); or, when a kind asks for more than
 * `max`, null after answering the request 400 with a message naming the kind and the count.
 */
export function askedFactIds<K extends string>(
  body: unknown,
  res: Response,
  kinds: readonly K[],
  max: number = MAX_FACT_IDS,
): Record<K, string[]> | null {
  const ask = (body ?? {}) as Record<string, unknown>;
  const ids = {} as Record<K, string[]>;
  for (const kind of kinds) {
    const value = ask[kind];
    const wanted = Array.isArray(value) ? [...new Set(value.filter(isUuid))] : [];
    if (wanted.length > max) {
      res.status(400).json({
        error: `${kind}: ${wanted.length} ids asked in one request; at most ${max} are answered`,
      });
      return null;
    }
    ids[kind] = wanted;
  }
  return ids;
}
