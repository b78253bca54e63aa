import { describe, expect, it } from 'vitest';
import { comparableName, isSameChild } from './child-matching.js';

describe('comparableName', () => {
  it('ignores case, accents, punctuation and spacing', () => {
    expect(comparableName(' Éllie  Marsh. ')).toBe('elliemarsh');
    expect(comparableName("Zoë O'Brien-Smith")).toBe(comparableName('ZOE OBRIEN SMITH'));
    expect(comparableName('Straße')).toBe(comparableName('STRASSE'));
    expect(comparableName('ﬁona')).toBe('fiona');
  });

  it('keeps letters of any script and the order of the names', () => {
    expect(comparableName('Алёна')).toBe('алена');
    expect(comparableName('Marsh Ellie')).not.toBe(comparableName('Ellie Marsh'));
  });
});

describe('isSameChild', () => {
  const recorded = { name: 'Secret Name', dateOfBirth: '2019-03-02' };

  it('needs the name to agree and a recorded date of birth to be given and equal', () => {
    expect(isSameChild(recorded, { name: 'secret-name', dateOfBirth: '2019-03-02' })).toBe(true);
    expect(isSameChild(recorded, { name: 'Guess', dateOfBirth: '2019-03-02' })).toBe(false);
    expect(isSameChild(recorded, { name: 'Secret Name', dateOfBirth: '2019-03-03' })).toBe(false);
    expect(isSameChild(recorded, { name: 'Secret Name', dateOfBirth: null })).toBe(false);
    expect(isSameChild(recorded, { name: 'Secret Name' })).toBe(false);
  });

  it('lets the name decide when no date of birth is recorded', () => {
    const undated = { name: 'Robin Undated', dateOfBirth: null };
    expect(isSameChild(undated, { name: 'ROBIN UNDATED' })).toBe(true);
    expect(isSameChild(undated, { name: 'Robin Undated', dateOfBirth: '2016-01-01' })).toBe(true);
    expect(isSameChild(undated, { name: 'Robin Other' })).toBe(false);
  });

  it('never matches a name with no letters or digits', () => {
    expect(isSameChild({ name: '?', dateOfBirth: null }, { name: '!' })).toBe(false);
  });
});
