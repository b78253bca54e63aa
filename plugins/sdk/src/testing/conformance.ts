import { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { AgencyKind } from '@hub/schema';
import { MemoryApplier } from '../memory-applier.js';
import { mediaType } from '../media-type.js';
import type { AgencyPlugin, MapResult } from '../plugin.js';
import type { ApplyOutcome, IngestReport, PendingRecord, RecordApplier } from '../report.js';
import { runIngest } from '../runner.js';
import {
  chunked,
  mutations,
  seededRandom,
  seedOf,
  truncations,
  type BodyVariant,
  type Random,
} from './body-mutations.js';

/** A body the kit feeds the plugin. */
export interface ConformanceFixture {
  /** Shown in test names. */
  name: string;
  contentType: string;
  body: string | Uint8Array;
}

/** A body the plugin must read without a single rejection. */
export interface GoodFixture extends ConformanceFixture {
  /** How many source records map to canonical records and how many are skipped (optional checks). */
  expect?: { mapped?: number; skipped?: number };
}

/** A body the plugin must reject, naming what is wrong. */
export interface BadFixture extends ConformanceFixture {
  /** Each rejection the body must produce (in order): the field (exact string or RegExp) and, optionally, a message pattern. */
  rejects: Array<{ field: string | RegExp; message?: RegExp }>;
}

/**
 * A plugin's fixtures. Each good fixture is ingested into an empty `MemoryApplier`, so it must
 * carry the cases its disagreements name.
 */
export interface ConformanceFixtures {
  good: GoodFixture[];
  bad: BadFixture[];
}

/** One check of the kit: `describeConformance` makes each a test. */
export interface ConformanceCheck {
  title: string;
  /** Resolves to what is wrong; empty when the plugin passes. */
  run(): Promise<string[]>;
}

/** Damaged copies per fixture body, of each sort (truncated, mutated). */
const DAMAGED_COPIES = 50;
/** How long one read of a body may take before the kit calls it hung. */
const READ_TIMEOUT_MS = 10_000;
/** Failures the robustness check lists per fixture before summing up the rest. */
const LISTED_FAILURES = 3;

/** The same checks without vitest, for scripts: resolves to a list of failures (empty = conforms). */
export async function checkConformance(
  plugin: AgencyPlugin,
  fixtures: ConformanceFixtures,
): Promise<string[]> {
  const failures: string[] = [];
  for (const check of conformanceChecks(plugin, fixtures)) failures.push(...(await check.run()));
  return failures;
}

/**
 * The kit's checks: the plugin's shape; each good fixture maps without rejection; each bad
 * fixture is rejected as expected with nothing of it applied; damaged copies of every body never
 * make `parse` or `map` throw; good fixtures map the same way every time, however the body is
 * split into chunks; and ingesting a good fixture twice changes nothing the second time.
 */
export function conformanceChecks(
  plugin: AgencyPlugin,
  fixtures: ConformanceFixtures,
): ConformanceCheck[] {
  const checks: ConformanceCheck[] = [
    { title: 'has the shape of an AgencyPlugin', run: async () => shapeFailures(plugin, fixtures) },
  ];
  for (const fixture of fixtures.good) {
    checks.push({
      title: `maps good fixture "${fixture.name}" without a rejection`,
      run: () => goodFailures(plugin, fixture),
    });
  }
  for (const fixture of fixtures.bad) {
    checks.push({
      title: `rejects bad fixture "${fixture.name}" naming the fields`,
      run: () => badFailures(plugin, fixture),
    });
  }
  for (const fixture of [...fixtures.good, ...fixtures.bad]) {
    checks.push({
      title: `never throws on damaged copies of "${fixture.name}"`,
      run: () => robustnessFailures(plugin, fixture),
    });
  }
  for (const fixture of fixtures.good) {
    checks.push({
      title: `maps good fixture "${fixture.name}" deterministically`,
      run: () => determinismFailures(plugin, fixture),
    });
    checks.push({
      title: `ingests good fixture "${fixture.name}" idempotently`,
      run: () => idempotencyFailures(plugin, fixture),
    });
  }
  // A check that crashes (a plugin without `parse`, say) is a failure to report, not a kit bug.
  return checks.map(({ title, run }) => ({
    title,
    run: () => run().catch((error: unknown) => [`${title}: the check failed: ${messageOf(error)}`]),
  }));
}

function shapeFailures(plugin: AgencyPlugin, fixtures: ConformanceFixtures): string[] {
  if (typeof plugin !== 'object' || plugin === null) {
    return [`shape: the plugin must be an object, got ${preview(plugin)}`];
  }
  const failures: string[] = [];
  const fail = (message: string) => failures.push(`shape: ${message}`);
  if (typeof plugin.name !== 'string' || !/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(plugin.name)) {
    fail(`name ${preview(plugin.name)} must be kebab-case (lower-case letters, digits, hyphens)`);
  }
  if (!(Object.values(AgencyKind) as unknown[]).includes(plugin.agencyKind)) {
    fail(
      `agencyKind ${preview(plugin.agencyKind)} is not an AgencyKind (${Object.values(AgencyKind).join(', ')})`,
    );
  }
  if (typeof plugin.description !== 'string' || plugin.description.trim() === '') {
    fail('description must say in one line what the plugin reads');
  }
  const accepted = Array.isArray(plugin.contentTypes) ? plugin.contentTypes : [];
  if (accepted.length === 0) fail('contentTypes must list at least one media type');
  for (const type of accepted) {
    if (typeof type !== 'string' || type.trim() === '' || type.includes(';')) {
      fail(`contentTypes holds ${preview(type)}: a media type without parameters, e.g. text/csv`);
    }
  }
  if (typeof plugin.parse !== 'function') fail('parse must be a function');
  if (typeof plugin.map !== 'function') fail('map must be a function');
  if (fixtures.good.length === 0) fail('no good fixture: the kit needs a body the plugin maps');
  if (fixtures.bad.length === 0) fail('no bad fixture: the kit needs a body the plugin rejects');
  const names = new Set<string>();
  for (const fixture of [...fixtures.good, ...fixtures.bad]) {
    if (names.has(fixture.name)) fail(`two fixtures are named "${fixture.name}"`);
    names.add(fixture.name);
    const type = mediaType(fixture.contentType);
    if (
      !accepted.some((candidate) => typeof candidate === 'string' && mediaType(candidate) === type)
    ) {
      fail(
        `fixture "${fixture.name}" is ${type}, which is not among contentTypes (${accepted.join(', ')})`,
      );
    }
  }
  return failures;
}

async function goodFailures(plugin: AgencyPlugin, fixture: GoodFixture): Promise<string[]> {
  const at = `good fixture "${fixture.name}"`;
  const report = await runIngest({
    plugin,
    body: bodyStream(fixture.body),
    contentType: fixture.contentType,
    applier: new MemoryApplier(),
  });
  const failures = report.rejected.map((rejection) => `${at}: ${describeRejection(rejection)}`);
  if (report.received === 0) failures.push(`${at}: parse yielded nothing from it`);
  const mapped = report.created + report.updated + report.unchanged;
  if (fixture.expect?.mapped !== undefined && mapped !== fixture.expect.mapped) {
    failures.push(`${at}: expected ${fixture.expect.mapped} source records mapped, got ${mapped}`);
  }
  if (fixture.expect?.skipped !== undefined && report.skipped !== fixture.expect.skipped) {
    failures.push(`${at}: expected ${fixture.expect.skipped} skipped, got ${report.skipped}`);
  }
  // Contract breaches the runner papers over (a record without a sourceId) or already reported.
  const rejected = new Set(report.rejected.map((rejection) => rejection.index));
  const read = await readBody(plugin, bytesOf(fixture.body), fixture.contentType);
  for (const fault of read.faults) {
    if (fault.index === undefined || !rejected.has(fault.index)) {
      failures.push(`${at}: ${fault.message}`);
    }
  }
  return failures;
}

async function badFailures(plugin: AgencyPlugin, fixture: BadFixture): Promise<string[]> {
  const at = `bad fixture "${fixture.name}"`;
  const failures: string[] = [];
  if (fixture.rejects.length === 0) failures.push(`${at}: lists no rejection it must produce`);
  const applied: Array<{ pending: PendingRecord; outcome: ApplyOutcome }> = [];
  const memory = new MemoryApplier();
  const recording: RecordApplier = {
    async apply(batch) {
      const outcomes = await memory.apply(batch);
      batch.forEach((pending, n) => applied.push({ pending, outcome: outcomes[n]! }));
      return outcomes;
    },
  };
  const report = await runIngest({
    plugin,
    body: bodyStream(fixture.body),
    contentType: fixture.contentType,
    applier: recording,
  });
  for (const rejection of report.rejected) {
    if (rejection.field.trim() === '' || rejection.message.trim() === '') {
      failures.push(`${at}: a rejection without a field or a message: ${preview(rejection)}`);
    }
  }
  let from = 0;
  for (const expected of fixture.rejects) {
    const found = report.rejected.findIndex(
      (rejection, n) =>
        n >= from &&
        (typeof expected.field === 'string'
          ? rejection.field === expected.field
          : expected.field.test(rejection.field)) &&
        (expected.message === undefined || expected.message.test(rejection.message)),
    );
    if (found === -1) {
      const wanted = `field ${preview(expected.field)}${expected.message ? ` with a message matching ${expected.message}` : ''}`;
      const got = report.rejected.slice(from).map((rejection) => describeRejection(rejection));
      failures.push(
        `${at}: expected a rejection at ${wanted}${from > 0 ? ' after the ones before it' : ''}; ` +
          `got ${got.length === 0 ? 'none' : got.join('; ')}`,
      );
    } else {
      from = found + 1;
    }
  }
  // A source record rejected before the applier must not have reached it; one the applier
  // rejected did, and that is the applier's to refuse.
  for (const rejection of report.rejected) {
    const reached = applied.filter(({ pending }) => pending.index === rejection.index);
    if (reached.length > 0 && !reached.some(({ outcome }) => outcome.status === 'rejected')) {
      failures.push(
        `${at}: item ${rejection.index} was rejected but ${reached.length} of its records were applied`,
      );
    }
  }
  const read = await readBody(plugin, bytesOf(fixture.body), fixture.contentType);
  for (const fault of read.faults) failures.push(`${at}: ${fault.message}`);
  return failures;
}

async function robustnessFailures(
  plugin: AgencyPlugin,
  fixture: ConformanceFixture,
): Promise<string[]> {
  const random = seededRandom(seedOf(fixture.name));
  const body = bytesOf(fixture.body);
  const variants: BodyVariant[] = [
    ...truncations(body, DAMAGED_COPIES, random),
    ...mutations(body, DAMAGED_COPIES, random),
  ];
  const failures: string[] = [];
  let more = 0;
  for (const variant of variants) {
    const read = await readBody(plugin, variant.body, fixture.contentType);
    if (read.faults.length === 0) continue;
    if (failures.length < LISTED_FAILURES) {
      failures.push(
        `robustness: "${fixture.name}" ${variant.description}: ${read.faults[0]!.message}`,
      );
    } else {
      more++;
    }
  }
  if (more > 0) {
    failures.push(
      `robustness: "${fixture.name}": ${more} more of ${variants.length} damaged copies failed`,
    );
  }
  return failures;
}

async function determinismFailures(plugin: AgencyPlugin, fixture: GoodFixture): Promise<string[]> {
  const at = `determinism: good fixture "${fixture.name}"`;
  const body = bytesOf(fixture.body);
  const first = await readBody(plugin, body, fixture.contentType);
  const again = await readBody(plugin, body, fixture.contentType);
  const difference = itemDifference(first.items, again.items);
  if (difference) return [`${at}: reading the same body again ${difference}`];
  const split = await readBody(
    plugin,
    body,
    fixture.contentType,
    seededRandom(seedOf(fixture.name) ^ 0x5eed),
  );
  const chunkDifference = itemDifference(first.items, split.items);
  if (chunkDifference) {
    return [`${at}: the body delivered in chunks of 1 to 64 bytes ${chunkDifference}`];
  }
  return [];
}

async function idempotencyFailures(plugin: AgencyPlugin, fixture: GoodFixture): Promise<string[]> {
  const applier = new MemoryApplier();
  const ingest = () =>
    runIngest({
      plugin,
      body: bodyStream(fixture.body),
      contentType: fixture.contentType,
      applier,
    });
  const first = await ingest();
  if (first.rejected.length > 0) {
    return [
      `idempotency: good fixture "${fixture.name}": not checked, the first ingest already rejected ` +
        `${first.rejected.length} of ${first.received} items`,
    ];
  }
  const second = await ingest();
  if (
    second.created === 0 &&
    second.updated === 0 &&
    second.rejected.length === 0 &&
    second.unchanged + second.skipped === second.received &&
    second.received === first.received
  ) {
    return [];
  }
  return [
    `idempotency: good fixture "${fixture.name}": ingesting it a second time gave ${counts(second)} ` +
      `(first time ${counts(first)}); a second ingest of the same body must leave everything ` +
      'unchanged, so each source record must map to the same sourceId and sourceVersion every time',
  ];
}

/** What one read of a body gave, item by item, with every breach of the plugin contract. */
interface ReadResult {
  items: unknown[];
  faults: Array<{ index?: number; message: string }>;
}

/** Reads a body with `parse` and maps each source record, as the runner does but catching all. */
async function readBody(
  plugin: AgencyPlugin,
  body: Uint8Array,
  contentType: string,
  chunks?: Random,
): Promise<ReadResult> {
  const result: ReadResult = { items: [], faults: [] };
  const stream = chunks ? bodyStream(body, chunked(body, chunks)) : bodyStream(body);
  const work = (async () => {
    let index = 0;
    let iterable: AsyncIterable<unknown>;
    try {
      iterable = plugin.parse(stream, { contentType: mediaType(contentType) });
      for await (const item of iterable) inspect(plugin, item, index++, result);
    } catch (error) {
      result.faults.push({ message: `parse threw: ${messageOf(error)}` });
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), READ_TIMEOUT_MS);
  });
  const outcome = await Promise.race([work, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    result.faults.push({ message: `parse did not finish within ${READ_TIMEOUT_MS / 1000} s` });
  }
  return result;
}

function inspect(plugin: AgencyPlugin, item: unknown, index: number, result: ReadResult): void {
  const fault = (message: string) => result.faults.push({ index, message });
  const candidate = item as {
    type?: unknown;
    sourceId?: unknown;
    field?: unknown;
    message?: unknown;
  };
  if (candidate?.type === 'problem') {
    result.items.push(item);
    if (!filled(candidate.field)) fault(`item ${index}: parse yielded a problem without a field`);
    if (!filled(candidate.message))
      fault(`item ${index}: parse yielded a problem without a message`);
    return;
  }
  if (candidate?.type !== 'record') {
    result.items.push(item);
    fault(`item ${index}: parse yielded ${preview(item)}, neither a record nor a problem`);
    return;
  }
  const where = `item ${index} (sourceId ${preview(candidate.sourceId)})`;
  if (!filled(candidate.sourceId))
    fault(`${where}: parse yielded a source record without a sourceId`);
  let mapped: MapResult;
  try {
    mapped = plugin.map((item as { record: unknown }).record, { index });
  } catch (error) {
    result.items.push({ sourceId: candidate.sourceId, threw: messageOf(error) });
    fault(`${where}: map threw: ${messageOf(error)}`);
    return;
  }
  result.items.push({ sourceId: candidate.sourceId, mapped });
  switch (mapped?.outcome) {
    case 'records':
    case 'skipped':
      return;
    case 'rejected':
      if (!filled(mapped.field)) fault(`${where}: map rejected it without naming the field`);
      if (!filled(mapped.message)) fault(`${where}: map rejected it without a message`);
      return;
    default:
      fault(`${where}: map returned ${preview(mapped)}, not records(), skip() or reject()`);
  }
}

/** Where two reads of one body first part ways, in words; undefined when they agree. */
function itemDifference(first: unknown[], second: unknown[]): string | undefined {
  const length = Math.max(first.length, second.length);
  for (let index = 0; index < length; index++) {
    if (isDeepStrictEqual(first[index], second[index])) continue;
    if (index >= first.length || index >= second.length) {
      return `yielded ${second.length} items instead of ${first.length}`;
    }
    const a = first[index] as { sourceId?: unknown; mapped?: unknown } | undefined;
    const b = second[index] as { mapped?: unknown } | undefined;
    // Name the path inside map's answer (`records[0].sourceVersion`) where both mapped.
    const path =
      a?.mapped !== undefined && b?.mapped !== undefined
        ? difference(a.mapped, b.mapped, '')
        : difference(a, b, '');
    const sourceId = a?.sourceId;
    return `mapped item ${index} (sourceId ${preview(sourceId)}) differently: ${path}`;
  }
  return undefined;
}

function difference(a: unknown, b: unknown, path: string): string {
  const here = path === '' ? 'the answer' : path;
  if (
    typeof a === 'object' &&
    a !== null &&
    typeof b === 'object' &&
    b !== null &&
    Array.isArray(a) === Array.isArray(b)
  ) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      if (isDeepStrictEqual(left[key], right[key])) continue;
      const segment = Array.isArray(a) ? `[${key}]` : path === '' ? key : `.${key}`;
      return difference(left[key], right[key], `${path}${segment}`);
    }
  }
  return `${here} was ${preview(a)}, then ${preview(b)}`;
}

function describeRejection(rejection: {
  index: number;
  sourceId: string | null;
  field: string;
  message: string;
}): string {
  if (rejection.index < 0)
    return `parse threw, so the rest of the body was not read: ${rejection.message}`;
  const where = `item ${rejection.index} (sourceId ${preview(rejection.sourceId)})`;
  if (rejection.field.startsWith('records[')) {
    return `${where}: map emitted an invalid canonical record: ${rejection.field}: ${rejection.message}`;
  }
  if (rejection.field === 'map') return `${where}: map failed: ${rejection.message}`;
  return `${where} was rejected at ${rejection.field}: ${rejection.message}`;
}

function counts(report: IngestReport): string {
  return (
    `received ${report.received}, created ${report.created}, updated ${report.updated}, ` +
    `unchanged ${report.unchanged}, skipped ${report.skipped}, rejected ${report.rejected.length}`
  );
}

function bytesOf(body: string | Uint8Array): Uint8Array {
  // A copy, and a plain Uint8Array: a Buffer's slice() shares memory, so damaging a copy of a
  // Buffer fixture would damage the fixture.
  return typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
}

/** A byte stream, as an HTTP request body is (not an object-mode stream of strings). */
function bodyStream(body: string | Uint8Array, chunks?: Uint8Array[]): Readable {
  const parts = chunks ?? [bytesOf(body)];
  return Readable.from(
    parts.filter((part) => part.length > 0).map((part) => Buffer.from(part)),
    { objectMode: false },
  );
}

function filled(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function preview(value: unknown): string {
  const text = value instanceof RegExp ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
