import DataLoader from 'dataloader';
import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';
import { isUuid } from './text.js';

/**
 * A loader for one row per key: `fetch` gets every key of a batch at once, and results come
 * back in the keys' order, `null` where nothing matched (graphql/dataloader's contract).
 */
export function keyedLoader<K, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map<K, V>();
    for (const row of rows) byKey.set(keyOf(row), row);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** A loader for many rows per key (a one-to-many relation): `[]` where nothing matched. */
export function groupedLoader<K, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map<K, V[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const group = byKey.get(key);
      if (group) group.push(row);
      else byKey.set(key, [row]);
    }
    return keys.map((key) => byKey.get(key) ?? []);
  });
}

/**
 * Loads entities by UUID primary key in one `IN` query per batch. Keys that are not UUIDs name
 * nothing and resolve to null without reaching the database.
 */
export function entityLoader<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
): DataLoader<string, T | null> {
  return keyedLoader<string, T>(
    (ids) => {
      const valid = ids.filter(isUuid);
      return valid.length === 0
        ? Promise.resolve([])
        : em.find(entity, { id: { $in: valid } } as unknown as FilterQuery<T>);
    },
    (row) => row.id,
  );
}
