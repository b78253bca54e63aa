import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const src = (path: string) => fileURLToPath(new URL(`./${path}/src/index.ts`, import.meta.url));

export default defineConfig({
  // esbuild emits no decorator metadata; type-graphql and MikroORM need it, so SWC transforms TS.
  plugins: [
    swc.vite({
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: {
          legacyDecorator: true,
          decoratorMetadata: true,
          useDefineForClassFields: false,
        },
      },
    }),
  ],
  resolve: {
    alias: {
      // One graphql instance: the CJS build that type-graphql and @apollo/* load.
      graphql: require.resolve('graphql'),
      '@hub/schema': src('schema'),
      '@hub/kit': src('subgraphs/kit'),
      '@hub/cases': src('subgraphs/cases'),
      '@hub/escalations': src('subgraphs/escalations'),
      '@hub/panels': src('subgraphs/panels'),
      '@hub/learning': src('subgraphs/learning'),
      // Before '@hub/plugin-sdk', which would otherwise match it as a prefix.
      '@hub/plugin-sdk/testing': fileURLToPath(
        new URL('./plugins/sdk/src/testing/index.ts', import.meta.url),
      ),
      '@hub/plugin-sdk': src('plugins/sdk'),
      '@hub/plugin-health': src('plugins/health'),
      '@hub/plugin-education': src('plugins/education'),
      '@hub/plugin-police': src('plugins/police'),
      '@hub/gateway': src('gateway'),
      '@hub/cli': src('cli'),
      '@hub/bench': src('bench'),
    },
  },
  test: {
    include: [
      'schema/src/**/*.test.ts',
      'subgraphs/*/src/**/*.test.ts',
      'plugins/*/src/**/*.test.ts',
      'gateway/src/**/*.test.ts',
      'cli/src/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/src/**/*.test.ts',
    ],
    // Drops the PostgreSQL test schemas before and after the run, never during it.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    /*
     * vitest's default is one fork fewer than the cores: a single fork on a two-core machine,
     * where most test files spend much of their time waiting on hub processes they started,
     * NATS and PostgreSQL. Two forks there took the suite from 444 s to 341 s with the same
     * results; three were no faster (docs/decisions.md, "Tests").
     */
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
