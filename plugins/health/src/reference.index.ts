import type { JsonObject } from './fhir.readers.js';
import type { ReferenceFacts } from './health.source.js';

/** `[base/]Type/id[/_history/v]`: a literal reference FHIR resolves by type and id. */
const TYPE_AND_ID =
  /^(?:[a-z][a-z0-9+.-]*:\/\/\S*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * `Type/id` of a relative or absolute literal reference (`Patient/1`,
 * `https://fhir.example.org/Patient/1/_history/2`), or undefined (`urn:uuid:…`, `#contained`).
 */
export function typeAndId(reference: string): string | undefined {
  const match = TYPE_AND_ID.exec(reference);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

interface Indexed {
  facts: ReferenceFacts;
  keys: string[];
  /** False once a later resource took all its keys. */
  live: boolean;
}

/**
 * The resources of a body seen so far that later ones may refer to, a few fields each, by
 * `Type/id` and by fullUrl. It holds at most `limit` resources: beyond that the oldest are
 * forgotten, so memory stays bounded however long the body; a reference to a forgotten resource
 * is resolved as one not in the body.
 */
export class ReferenceIndex {
  readonly #byKey = new Map<string, Indexed>();
  // Oldest first, from #head. An array, not a Set: V8 walks a Set's deleted slots from its
  // start, which made evicting the oldest one by one quadratic.
  #queue: Indexed[] = [];
  #head = 0;
  #live = 0;

  constructor(readonly limit: number) {}

  /** How many resources are held. */
  get size(): number {
    return this.#live;
  }

  /** Keeps the facts of a resource under its `Type/id` and its fullUrl. */
  add(resource: JsonObject, fullUrl: string | undefined, facts: ReferenceFacts): void {
    const keys: string[] = [];
    if (typeof resource.resourceType === 'string' && typeof resource.id === 'string') {
      keys.push(`${resource.resourceType}/${resource.id}`);
    }
    if (fullUrl !== undefined && fullUrl !== '' && !keys.includes(fullUrl)) keys.push(fullUrl);
    if (keys.length === 0) return;
    const entry: Indexed = { facts, keys, live: true };
    for (const key of keys) {
      const replaced = this.#byKey.get(key);
      this.#byKey.set(key, entry);
      if (replaced?.live && replaced.keys.every((other) => this.#byKey.get(other) !== replaced)) {
        replaced.live = false;
        this.#live--;
      }
    }
    this.#queue.push(entry);
    this.#live++;
    while (this.#live > this.limit) {
      const oldest = this.#queue[this.#head++]!;
      if (!oldest.live) continue;
      oldest.live = false;
      this.#live--;
      for (const key of oldest.keys) {
        if (this.#byKey.get(key) === oldest) this.#byKey.delete(key);
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The facts a reference points at: by the reference as written, else by its `Type/id`. */
  lookup(reference: string): ReferenceFacts | undefined {
    const exact = this.#byKey.get(reference);
    if (exact) return exact.facts;
    const key = typeAndId(reference);
    return key === undefined ? undefined : this.#byKey.get(key)?.facts;
  }
}
