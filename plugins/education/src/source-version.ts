import { createHash } from 'node:crypto';

/**
 * A source version made from the values a record was mapped from: the same values give the same
 * version, so an export sent again changes nothing in the hub, and any change shows. The values
 * go in as a JSON array, so their order and boundaries are part of what is hashed.
 */
export function contentVersion(values: readonly unknown[]): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(values)).digest('hex')}`;
}
