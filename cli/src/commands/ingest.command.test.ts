import { describe, expect, it } from 'vitest';
import { guessContentType } from './ingest.command.js';

describe('guessContentType', () => {
  it("takes the plugin's own type for the file's format", () => {
    expect(guessContentType('health', 'bundle.json')).toBe('application/fhir+json');
    expect(guessContentType('health', 'bundle.XML')).toBe('application/fhir+xml');
    expect(guessContentType('police', 'referrals.json')).toBe('application/json');
    expect(guessContentType('police', 'referrals.csv')).toBe('text/csv');
    expect(guessContentType('education', 'pupils.xml')).toBe('application/xml');
  });

  it("falls back to the format's common type for a plugin the CLI does not know", () => {
    expect(guessContentType('probation', 'export.json')).toBe('application/json');
    expect(guessContentType('probation', 'export.xml')).toBe('application/xml');
  });

  it('says nothing for an extension that names no format', () => {
    expect(guessContentType('police', 'referrals.txt')).toBeNull();
    expect(guessContentType('police', 'referrals')).toBeNull();
  });
});
