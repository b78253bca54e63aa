import { describe, expect, it } from 'vitest';
import type { AgencyPlugin } from '../plugin.js';
import { conformanceChecks, type ConformanceFixtures } from './conformance.js';

/** Each robustness test reads about a hundred damaged bodies; give slow plugins room. */
const CHECK_TIMEOUT_MS = 120_000;

/** Registers a vitest `describe` block that checks the plugin against the fixtures. */
export function describeConformance(plugin: AgencyPlugin, fixtures: ConformanceFixtures): void {
  describe(`plugin ${String(plugin?.name)} conforms to the plugin contract`, () => {
    for (const check of conformanceChecks(plugin, fixtures)) {
      // Comparing with [] prints every failure, each saying what is wrong, in the test's output.
      it(check.title, async () => expect(await check.run()).toEqual([]), CHECK_TIMEOUT_MS);
    }
  });
}
