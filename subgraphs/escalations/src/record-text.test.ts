import { describe, expect, it } from 'vitest';
import { consultationText, sentence } from './record-text.js';

describe('sentence', () => {
  it('adds one full stop, and none to text that already ends a sentence', () => {
    expect(sentence('Injuries seen today')).toBe('Injuries seen today.');
    expect(sentence('Injuries seen today.')).toBe('Injuries seen today.');
    expect(sentence('  Injuries seen today.  ')).toBe('Injuries seen today.');
    expect(sentence('Is she safe tonight?')).toBe('Is she safe tonight?');
    expect(sentence('She said "not again!"')).toBe('She said "not again!"');
    expect(sentence('Seen at A&E (fracture.)')).toBe('Seen at A&E (fracture.)');
    expect(sentence('Seen at A&E (fracture)')).toBe('Seen at A&E (fracture).');
  });
});

describe('consultationText', () => {
  it('reads as one would write it: the stage, the justification and the consulted person by name and role', () => {
    const text = consultationText({
      stageNumber: 3,
      stageName: 'Senior managers and safeguarding leads',
      justification: 'Injuries seen today.',
      consulted: { name: 'DS Priya Shah', roles: ['LINE_MANAGER'] },
    });
    expect(text).toBe(
      'Immediate risk: started at stage 3 (Senior managers and safeguarding leads). ' +
        'Justification: Injuries seen today. Consulted: DS Priya Shah, line manager.',
    );
    expect(text).not.toMatch(/\.\./);
  });

  it('names every qualifying role the consulted person holds, and only those', () => {
    expect(
      consultationText({
        stageNumber: 2,
        stageName: 'Line managers',
        justification: 'Child returns home tonight',
        consulted: {
          name: 'Helen Carter (named nurse)',
          roles: ['PANEL_MEMBER', 'SAFEGUARDING_LEAD', 'LINE_MANAGER'],
        },
      }),
    ).toBe(
      'Immediate risk: started at stage 2 (Line managers). Justification: Child returns home tonight. ' +
        'Consulted: Helen Carter (named nurse), line manager and safeguarding lead.',
    );
  });
});
