import { readFileSync } from 'node:fs';
import { casesEnvSchema } from '@hub/cases';
import { escalationsEnvSchema } from '@hub/escalations';
import { gatewayEnvSchema } from '@hub/gateway';
import { hubEnvSchema } from '@hub/kit';
import { learningEnvSchema } from '@hub/learning';
import { panelsEnvSchema } from '@hub/panels';
import { describe, expect, it } from 'vitest';
import { cliEnvSchema } from './config.js';

/** Every configuration schema of the hub: each process parses one of these, the CLI all. */
const SCHEMAS = {
  hub: hubEnvSchema,
  cases: casesEnvSchema,
  escalations: escalationsEnvSchema,
  panels: panelsEnvSchema,
  learning: learningEnvSchema,
  gateway: gatewayEnvSchema,
  cli: cliEnvSchema,
};

const read = [...new Set(Object.values(SCHEMAS).flatMap((schema) => Object.keys(schema.shape)))];

/** The variables `.env.example` names, set or commented out (`# NAME=…`), in order. */
const listed = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
  .split('\n')
  .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
  .filter((name): name is string => name !== undefined);

describe('.env.example', () => {
  it('lists every variable a configuration schema reads', () => {
    expect(read.filter((name) => !listed.includes(name))).toEqual([]);
  });

  it('names no variable the hub does not read, and each once', () => {
    expect(listed.filter((name) => !read.includes(name))).toEqual([]);
    expect(listed.filter((name, index) => listed.indexOf(name) !== index)).toEqual([]);
  });
});
