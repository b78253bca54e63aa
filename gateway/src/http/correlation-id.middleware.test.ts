import { describe, expect, it } from 'vitest';
import { correlationIdFrom } from './correlation-id.middleware.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlationIdFrom', () => {
  it("keeps a client's sane id", () => {
    expect(correlationIdFrom('req-42_a.B')).toBe('req-42_a.B');
    expect(correlationIdFrom('x'.repeat(100))).toBe('x'.repeat(100));
  });

  it('replaces a missing, empty, long or unsafe id with a fresh UUID', () => {
    for (const header of [
      undefined,
      '',
      'x'.repeat(101),
      'abc def',
      'abc\ninjected log line',
      'id;drop',
      'ünïcode',
    ]) {
      const id = correlationIdFrom(header);
      expect(id).toMatch(UUID);
      expect(id).not.toBe(header);
    }
  });

  it('gives each request its own id', () => {
    expect(correlationIdFrom(undefined)).not.toBe(correlationIdFrom(undefined));
  });
});
