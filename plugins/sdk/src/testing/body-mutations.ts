/**
 * Damaged copies of a fixture's body for the robustness check. Everything comes from a PRNG
 * seeded by the fixture's name, so a failure reproduces on every run and every machine.
 */

/** A damaged body and how it was made, for the failure message. */
export interface BodyVariant {
  /** E.g. `truncated to 17 of 230 bytes`, `2 bytes flipped at 40, 77`. */
  description: string;
  body: Uint8Array;
}

/** A small, fast PRNG (mulberry32) returning integers in [0, bound). */
export type Random = (bound: number) => number;

/** A deterministic PRNG from a seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(unit * bound);
  };
}

/** A seed from a string (FNV-1a), so each fixture gets its own sequence. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `count` copies of `body` cut at random byte offsets (0 included: the empty body). */
export function truncations(body: Uint8Array, count: number, random: Random): BodyVariant[] {
  const variants: BodyVariant[] = [];
  for (let n = 0; n < count; n++) {
    const at = n === 0 ? 0 : random(Math.max(body.length, 1));
    variants.push({
      description: `truncated to ${at} of ${body.length} bytes`,
      body: body.slice(0, at),
    });
  }
  return variants;
}

/**
 * `count` mutated copies of `body`: the empty body, then in turn flipped bytes, a deleted span,
 * inserted garbage, and a body of random bytes alone.
 */
export function mutations(body: Uint8Array, count: number, random: Random): BodyVariant[] {
  const variants: BodyVariant[] = [{ description: 'empty body', body: new Uint8Array(0) }];
  for (let n = 1; n < count; n++) {
    switch (n % 4) {
      case 1: {
        if (body.length === 0) break;
        const copy = body.slice();
        const offsets: number[] = [];
        for (let flips = 1 + random(4); flips > 0; flips--) {
          const at = random(copy.length);
          copy[at] = copy[at]! ^ (1 + random(255));
          offsets.push(at);
        }
        variants.push({ description: `bytes flipped at ${offsets.join(', ')}`, body: copy });
        continue;
      }
      case 2: {
        if (body.length === 0) break;
        const at = random(body.length);
        const length = 1 + random(Math.min(32, body.length - at));
        const copy = new Uint8Array(body.length - length);
        copy.set(body.subarray(0, at));
        copy.set(body.subarray(at + length), at);
        variants.push({ description: `${length} bytes deleted at ${at}`, body: copy });
        continue;
      }
      case 3: {
        const at = random(body.length + 1);
        const junk = garbage(1 + random(32), random);
        const copy = new Uint8Array(body.length + junk.length);
        copy.set(body.subarray(0, at));
        copy.set(junk, at);
        copy.set(body.subarray(at), at + junk.length);
        variants.push({ description: `${junk.length} random bytes inserted at ${at}`, body: copy });
        continue;
      }
    }
    const junk = garbage(random(512), random);
    variants.push({ description: `${junk.length} random bytes instead of the body`, body: junk });
  }
  return variants;
}

/**
 * Splits a body into chunks of 1 to 64 bytes, as a slow network delivers it: a multi-byte
 * character or a token may straddle two chunks.
 */
export function chunked(body: Uint8Array, random: Random): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < body.length;) {
    const length = 1 + random(64);
    chunks.push(body.subarray(at, at + length));
    at += length;
  }
  return chunks;
}

function garbage(length: number, random: Random): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let n = 0; n < length; n++) bytes[n] = random(256);
  return bytes;
}
