import { describe, expect, it } from 'vitest';
import { suppress } from './disclosure.js';

const cells = (counts: Record<string, number>) =>
  Object.entries(counts).map(([id, count]) => ({ id, count }));

describe('suppress', () => {
  it('hides counts below the threshold but never zero', () => {
    const hidden = suppress(cells({ a: 0, b: 1, c: 4, d: 5 }), [], 5);
    expect([...hidden].sort()).toEqual(['b', 'c']);
  });

  it('hides a second cell when one hidden cell could be worked out from the total', () => {
    // total 27 = 3 + 12 + 12: showing both 12s gives the 3 away.
    const hidden = suppress(
      cells({ a: 3, b: 12, c: 15 }),
      [{ whole: null, parts: ['a', 'b', 'c'] }],
      5,
    );
    expect([...hidden].sort()).toEqual(['a', 'b']);
  });

  it('keeps hiding until the hidden cells add up to the threshold', () => {
    // 1 + 2 = 3 < 5: the difference from the total would bound both tightly.
    const hidden = suppress(
      cells({ a: 1, b: 2, c: 6, d: 20 }),
      [{ whole: null, parts: ['a', 'b', 'c', 'd'] }],
      5,
    );
    expect([...hidden].sort()).toEqual(['a', 'b', 'c']);
  });

  it('follows suppression through linked equations (a row of pairs and its margin)', () => {
    const counts = {
      'raising:P': 12,
      'raising:H': 10,
      'pair:P|C': 9,
      'pair:P|E': 3,
      'pair:H|C': 10,
    };
    const hidden = suppress(
      cells(counts),
      [
        { whole: null, parts: ['raising:P', 'raising:H'] },
        { whole: 'raising:P', parts: ['pair:P|C', 'pair:P|E'] },
        { whole: 'raising:H', parts: ['pair:H|C'] },
        { whole: null, parts: ['pair:P|C', 'pair:P|E', 'pair:H|C'] },
      ],
      5,
    );
    // P|E is small; P|C would give it away (12 - 9), so it goes too.
    expect(hidden.has('pair:P|E')).toBe(true);
    expect(hidden.has('pair:P|C')).toBe(true);
    // Every equation with a hidden term has at least two, or a hidden whole.
    expect(hidden.has('pair:H|C')).toBe(false);
  });

  it('hides the whole when every other part is zero', () => {
    const hidden = suppress(cells({ w: 3, a: 3, b: 0 }), [{ whole: 'w', parts: ['a', 'b'] }], 5);
    expect(hidden.has('w')).toBe(true);
  });

  it('hides cells it is told to, whatever their count, except zeros', () => {
    const hidden = suppress(cells({ a: 40, b: 0, c: 30 }), [], 5, ['a', 'b']);
    expect([...hidden]).toEqual(['a']);
  });
});
