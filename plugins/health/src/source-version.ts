import { createHash } from 'node:crypto';
import { isObject, type JsonObject } from './fhir.readers.js';

/** meta.versionId, else meta.lastUpdated, of a resource; null when it has neither. */
export function baseVersionOf(resource: JsonObject): string | null {
  const meta = resource.meta;
  if (!isObject(meta)) return null;
  for (const key of ['versionId', 'lastUpdated']) {
    const value = meta[key];
    if (typeof value === 'string' && value.trim() !== '' && value.length <= 100) return value;
  }
  return null;
}

/**
 * The sourceVersion of a canonical record mapped from a resource whose own version is
 * `baseVersion`:
 * - the resource's meta.versionId, else meta.lastUpdated, when the record is drawn from it alone;
 * - that version plus `+` and a hash of the record when it also carries facts of other resources
 *   (the Patient in a Flag's case, a practitioner's email), so a change there is an update too;
 * - `sha256:` and a hash of the record when the resource has no version. The hash is of the
 *   mapped record, not of the resource, so the same resource sent as JSON or as XML has the same
 *   version, and a change to a field the hub does not receive is no update.
 */
export function sourceVersionOf(
  baseVersion: string | null,
  content: unknown,
  drawsOnOthers: boolean,
): string {
  if (baseVersion !== null && !drawsOnOthers) return baseVersion;
  const hash = sha256(canonicalJson(content));
  return baseVersion === null ? `sha256:${hash}` : `${baseVersion}+${hash.slice(0, 16)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
