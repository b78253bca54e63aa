import { Tokenizer, TokenParser } from '@streamparser/json';
import type { ParsedElementInfo, ParsedTokenInfo } from '@streamparser/json';
import { tooLarge, type BodyEvent, type PushParser } from './body.events.js';
import { isObject } from './fhir.readers.js';

/** How the token parser's token names read in a message. */
const TOKENS: Record<string, string> = {
  LEFT_BRACE: '"{"',
  RIGHT_BRACE: '"}"',
  LEFT_BRACKET: '"["',
  RIGHT_BRACKET: '"]"',
  COLON: '":"',
  COMMA: '","',
  STRING: 'string',
  NUMBER: 'number',
  TRUE: 'true',
  FALSE: 'false',
  NULL: 'null',
};

/**
 * Reads a FHIR JSON body as it arrives. A Bundle's entries are handed on one by one and dropped
 * at once, so memory holds one entry (and the Bundle's small top-level fields), never the body.
 * A body that is one resource is handed on whole when it ends.
 *
 * Entries are streamed when `resourceType` and `type` come before `entry`, as FHIR servers write
 * them; otherwise they are kept until the Bundle ends, which the entry size limit bounds.
 */
export class FhirJsonParser implements PushParser {
  readonly #tokenizer = new Tokenizer();
  // '$' is the whole body (a single resource, or the Bundle without its entries at the end);
  // '$.entry.*' each entry as it completes.
  readonly #parser = new TokenParser({ paths: ['$', '$.entry.*'], keepStack: true });
  readonly #events: BodyEvent[] = [];
  #stopped = false;
  /** Bytes written so far. */
  #fed = 0;
  /** Where the entry being read (or the body, before any entry) starts. */
  #mark = 0;
  /** Offset of the last token, for messages. */
  #lastOffset = 0;
  #entriesEmitted = 0;
  #announced = false;

  constructor(private readonly maxEntryBytes: number) {
    this.#tokenizer.onToken = (info: ParsedTokenInfo) => {
      if (this.#stopped) return;
      this.#lastOffset = info.offset;
      this.#parser.write(info);
    };
    this.#tokenizer.onError = (error: Error) => this.#malformed(error);
    this.#parser.onError = (error: Error) => this.#malformed(error);
    this.#parser.onValue = (info: ParsedElementInfo) => this.#onValue(info);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  write(chunk: Uint8Array): void {
    if (this.#stopped || chunk.length === 0) return;
    this.#fed += chunk.length;
    this.#tokenizer.write(chunk);
    if (!this.#stopped && this.#fed - this.#mark > this.maxEntryBytes) {
      this.#fail(tooLarge(this.#announced ? this.#entriesEmitted : null, this.maxEntryBytes));
    }
  }

  end(): void {
    if (this.#stopped) return;
    if (this.#fed === 0) {
      this.#fail({ type: 'fatal', field: 'body', message: 'the body is empty' });
      return;
    }
    this.#tokenizer.end();
    if (!this.#stopped && !this.#parser.isEnded) {
      this.#fail({
        type: 'fatal',
        field: 'body',
        message: `the body ends at byte ${this.#fed} before the JSON is complete`,
      });
    }
  }

  take(): BodyEvent[] {
    return this.#events.splice(0);
  }

  #onValue({ value, key, parent, stack }: ParsedElementInfo): void {
    if (this.#stopped) return;
    if (stack.length === 0) {
      this.#onBody(value);
      return;
    }
    // An entry: the stack holds the body's frame and the Bundle's, whose key is 'entry'.
    const bundle = stack[1]?.value;
    if (stack.length !== 2 || stack[1]?.key !== 'entry' || !Array.isArray(parent)) return;
    if (!isObject(bundle) || bundle.resourceType !== 'Bundle' || bundle.type === undefined) {
      return; // kept in place until the body ends
    }
    if (!this.#announced) {
      this.#events.push({ type: 'bundle', bundleType: bundle.type });
      this.#announced = true;
    }
    this.#events.push({ type: 'entry', entryIndex: key as number, entry: value });
    this.#entriesEmitted++;
    parent.pop();
    this.#mark = this.#lastOffset;
  }

  #onBody(value: unknown): void {
    if (!isObject(value) || typeof value.resourceType !== 'string') {
      this.#fail({
        type: 'fatal',
        field: 'body',
        message: 'the body must be a FHIR resource: a JSON object with a resourceType',
      });
      return;
    }
    if (value.resourceType !== 'Bundle') {
      this.#events.push({ type: 'resource', resource: value });
      return;
    }
    // Entries that came before the Bundle's type (or none at all) are handed on now.
    if (!this.#announced) this.#events.push({ type: 'bundle', bundleType: value.type });
    this.#announced = true;
    const kept = Array.isArray(value.entry) ? value.entry : [];
    kept.forEach((entry, n) => this.#events.push({ type: 'entry', entryIndex: n, entry }));
    if (value.entry !== undefined && !Array.isArray(value.entry)) {
      this.#fail({ type: 'fatal', field: 'entry', message: 'must be an array' });
    }
  }

  #malformed(error: Error): void {
    if (this.#stopped) return;
    // The tokenizer's own message names a position within the chunk; only the absolute one is
    // the same however the body arrives.
    const absolute = /absolute position "(\d+)"/.exec(error.message)?.[1];
    const unexpected = /^(Unexpected "[^"]*")/.exec(error.message)?.[1];
    if (/ended in the middle|ended in mid-parsing/.test(error.message)) {
      this.#fail({
        type: 'fatal',
        field: 'body',
        message: `the body ends at byte ${this.#fed} before the JSON is complete`,
      });
      return;
    }
    const at = absolute ?? String(this.#lastOffset);
    const token = /^Unexpected ([A-Z_]+)/.exec(error.message)?.[1];
    const what = unexpected
      ? unexpected.replace(/^Unexpected/, 'unexpected')
      : token
        ? `unexpected ${TOKENS[token] ?? token.toLowerCase()}`
        : 'invalid JSON';
    this.#fail({
      type: 'fatal',
      field: 'body',
      message: `the JSON is malformed at byte ${at} (${what})`,
    });
  }

  #fail(event: BodyEvent): void {
    this.#stopped = true;
    this.#events.push(event);
  }
}
