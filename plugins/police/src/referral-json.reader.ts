import type { Readable } from 'node:stream';
import type { SourceItem } from '@hub/plugin-sdk';
import { JSONParser, TokenType, type ParsedTokenInfo } from '@streamparser/json';
import type { ReferralSource } from './referral.mapper.js';
import { reason } from './reason.js';

/** Thrown inside the parser's callbacks to stop it at once; never leaves the reader. */
class StopReading extends Error {}

/**
 * Streams the referrals out of a JSON export, `{ "referrals": [ … ] }`, one array element at a
 * time: an element is yielded as soon as it closes and is then dropped from the parser, so
 * memory holds one referral, not the file. Other members of the object are passed over. A body
 * that is not such an object, or whose JSON breaks off or goes wrong, ends with one `body`
 * problem after the referrals before the fault.
 */
export async function* readReferralsJson(
  body: Readable,
): AsyncGenerator<SourceItem<ReferralSource>> {
  const ready: SourceItem<ReferralSource>[] = [];
  const parser = new JSONParser({ paths: ['$.referrals.*'], keepStack: false });
  const shape = new ShapeWatch();
  let bytes = 0;
  let lastToken = 0;

  let stopped = false;
  const stop = (message: string): never => {
    // The token parser hands what a callback throws to onError: report the first fault only.
    if (!stopped) ready.push({ type: 'problem', field: 'body', message });
    stopped = true;
    throw new StopReading();
  };
  parser.onToken = (token) => {
    lastToken = token.offset;
    const problem = shape.see(token);
    if (problem !== undefined) stop(problem);
  };
  parser.onValue = ({ value, key }) => {
    const at = `referrals[${String(key)}]`;
    const id =
      typeof value === 'object' && value !== null && 'referralId' in value
        ? value.referralId
        : undefined;
    ready.push({
      type: 'record',
      sourceId:
        typeof id === 'string' && id.trim() !== '' && id.length <= 100
          ? `referral:${id.trim()}`
          : at,
      record: { referral: value },
    });
  };
  parser.onError = (error) => {
    stop(`the body is not valid JSON (near byte ${lastToken}): ${error.message}`);
  };

  try {
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      parser.write(chunk);
      yield* ready.splice(0);
    }
    if (!parser.isEnded) {
      parser.onError = (error) => {
        stop(`the body ends after ${bytes} bytes, in the middle of the JSON (${error.message})`);
      };
      parser.end();
    }
    if (!shape.sawReferrals) {
      stop('the body must be a JSON object with a "referrals" array; it has none');
    }
  } catch (error) {
    if (!(error instanceof StopReading)) {
      ready.push({
        type: 'problem',
        field: 'body',
        message: `the body could not be read: ${reason(error)}`,
      });
    }
  }
  yield* ready.splice(0);
}

/**
 * Follows the tokens of the body's top level, which the parser's path does not report on: the
 * body must be an object, and its `referrals` member an array, given once.
 */
class ShapeWatch {
  sawReferrals = false;
  private depth = 0;
  private started = false;
  private expectKey = false;
  private key: string | undefined;
  private expectValue = false;

  /** A problem with the shape, or `undefined` while it is right. */
  see({ token, value }: ParsedTokenInfo): string | undefined {
    if (!this.started) {
      this.started = true;
      if (token !== TokenType.LEFT_BRACE) {
        return 'the body must be a JSON object with a "referrals" array';
      }
    }
    if (this.depth === 1) {
      if (this.expectKey && token === TokenType.STRING) {
        this.key = String(value);
        this.expectKey = false;
      } else if (token === TokenType.COLON) {
        this.expectValue = true;
      } else if (this.expectValue) {
        this.expectValue = false;
        if (this.key === 'referrals') {
          if (token !== TokenType.LEFT_BRACKET) return '"referrals" must be an array';
          if (this.sawReferrals) return '"referrals" is given twice';
          this.sawReferrals = true;
        }
      }
      if (token === TokenType.COMMA) this.expectKey = true;
    }
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      this.depth += 1;
      if (this.depth === 1) this.expectKey = true;
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      this.depth -= 1;
    }
    return undefined;
  }
}
