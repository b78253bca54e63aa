import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkUpn, educationPlugin } from '@hub/plugin-education';
import { healthPlugin, nhsNumberProblem } from '@hub/plugin-health';
import { MemoryApplier, runIngest, type AgencyPlugin } from '@hub/plugin-sdk';
import { AgencyKind, type CanonicalRecord } from '@hub/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { feedNhsNumber, feedUpn } from './feed.children.js';
import { writeFhirBundle, type GeneratedFeed } from './fhir.generator.js';
import type { FeedAgency, FeedSubjects } from './ingest.subjects.js';
import { writeSafeguardingLog } from './safeguarding-log.generator.js';

const agency = (kind: AgencyKind, name: string, people: number): FeedAgency => ({
  id: `${kind.toLowerCase()}-${name.length}-0000-0000`,
  kind,
  name,
  emails: Array.from(
    { length: people },
    (_, i) => `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${i}@hub.example.org`,
  ),
});

const trust = agency(AgencyKind.HEALTH, 'Testbury NHS Foundation Trust', 4);
const school = agency(AgencyKind.EDUCATION, 'Testbury Academy 1', 3);
const partners = [
  agency(AgencyKind.CHILDRENS_SOCIAL_CARE, "Testbury Children's Social Care", 5),
  agency(AgencyKind.POLICE, 'Testbury Police', 2),
  agency(AgencyKind.EARLY_HELP, 'Testbury Early Help Service', 2),
  agency(AgencyKind.HOUSING, 'Testbury Homes', 2),
  agency(AgencyKind.VOLUNTARY_SECTOR, 'Testbury Family Action', 2),
  agency(AgencyKind.VOLUNTARY_SECTOR, 'Testbury Young Carers', 2),
  agency(AgencyKind.HEALTH, 'Testbury Community Health Services', 2),
  agency(AgencyKind.EDUCATION, 'Testbury Primary School 2', 2),
];
const subjects = (own: FeedAgency, known: FeedSubjects['knownChildren']): FeedSubjects => ({
  boardId: 'board',
  agency: own,
  integrationId: 'integration',
  partners: partners.filter((p) => p.id !== own.id),
  knownChildren: known,
});
const health = subjects(trust, [
  { name: 'Jack Nowak', dateOfBirth: '2015-07-13', identifier: '9434765870' },
]);
const education = subjects(school, [
  { name: 'Noah Brown', dateOfBirth: null, identifier: feedUpn(999_999) },
]);

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every canonical record the runner hands to a MemoryApplier, and its report. */
async function ingest(plugin: AgencyPlugin, feed: GeneratedFeed) {
  const applier = new MemoryApplier();
  const report = await runIngest({
    plugin,
    body: createReadStream(feed.file),
    contentType: feed.contentType,
    applier,
  });
  const applied: CanonicalRecord[] = applier.batches.flat().map((pending) => pending.record);
  return { report, applied };
}

describe('the identifiers of new children', () => {
  it('are valid NHS numbers and UPNs, and never those the dataset gives', () => {
    const numbers = Array.from({ length: 2000 }, (_, n) => feedNhsNumber(n)).filter(
      (value): value is string => value !== null,
    );
    expect(numbers.length).toBeGreaterThan(1700);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const value of numbers) {
      expect(nhsNumberProblem(value)).toBeUndefined();
      expect(value.startsWith('3')).toBe(true);
    }
    for (let n = 0; n < 2000; n += 1) {
      const upn = feedUpn(n);
      expect(checkUpn(upn).ok, upn).toBe(true);
      expect(upn.slice(1, 2)).toBe('2');
    }
  });
});

describe.each([
  {
    name: 'FHIR bundle',
    plugin: healthPlugin(),
    write: (file: string, records: number, seed: number) =>
      writeFhirBundle(file, health, records, seed),
  },
  {
    name: 'safeguarding log',
    plugin: educationPlugin(),
    write: (file: string, records: number, seed: number) =>
      writeSafeguardingLog(file, education, records, seed),
  },
])('the generated $name', ({ name, plugin, write }) => {
  const path = (label: string) => join(dir, `${name.replace(/ /g, '-')}-${label}`);

  it('is the same file for the same seed, another for another seed, with exactly the records asked for', async () => {
    const a = await write(path('a'), 400, 7);
    const b = await write(path('b'), 400, 7);
    const c = await write(path('c'), 400, 8);
    expect(a.records).toBe(400);
    expect(Object.values(a.kinds).reduce((x, y) => x + y, 0)).toBe(400);
    expect(readFileSync(a.file).equals(readFileSync(b.file))).toBe(true);
    expect(a.bytes).toBe(readFileSync(a.file).length);
    expect(readFileSync(a.file).equals(readFileSync(c.file))).toBe(false);
  });

  it('is read by the real plugin without a rejection: children, cases, disagreements and their entries', async () => {
    const feed = await write(path('run'), 600, 3);
    const { report, applied } = await ingest(plugin, feed);
    expect(report.rejected).toEqual([]);
    expect(report.received).toBe(600);
    expect(report.created).toBeGreaterThan(150);
    const kinds = new Set(applied.map((record) => record.kind));
    expect(kinds).toContain('case');
    expect(kinds).toContain('disagreement');
    expect(kinds).toContain('escalation-record');
    // Every disagreement names a practitioner of the ingesting agency and a partner agency.
    for (const record of applied) {
      if (record.kind !== 'disagreement') continue;
      expect((name === 'FHIR bundle' ? trust : school).emails).toContain(record.raisedBy.email);
      const partner = partners.find(
        (p) => p.kind === record.respondingAgency.kind && p.name === record.respondingAgency.name,
      );
      expect(partner, JSON.stringify(record.respondingAgency)).toBeDefined();
    }
  });
});

describe('the generated FHIR bundle', () => {
  it('links a known child with its NHS number, name and date of birth as recorded, and flags new ones', async () => {
    const known = {
      name: 'Jack Nowak',
      dateOfBirth: '2015-07-13',
      identifier: feedNhsNumber(12_345)!,
    };
    const feed = await writeFhirBundle(join(dir, 'known.json'), subjects(trust, [known]), 2000, 11);
    expect(feed.kinds['Patient (known child)']).toBeGreaterThan(0);
    expect(feed.kinds['Flag (CP-IS)']).toBeGreaterThan(0);
    const { report, applied } = await ingest(healthPlugin(), feed);
    expect(report.rejected).toEqual([]);
    const child = applied.find(
      (record) => record.kind === 'child' && record.sourceId === `Patient/k-${known.identifier}`,
    );
    expect(child).toMatchObject({
      child: { name: 'Jack Nowak', dateOfBirth: '2015-07-13' },
    });
    const plans = applied.filter((record) => record.kind === 'case' && record.planType !== 'NONE');
    expect(plans.length).toBeGreaterThan(0);
  });
});
