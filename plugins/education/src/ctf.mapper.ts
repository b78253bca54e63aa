import { reject, records, type MapResult } from '@hub/plugin-sdk';
import type { CtfPupil } from './ctf.reader.js';
import { UPN_SYSTEM } from './identifier-systems.js';
import { contentVersion } from './source-version.js';
import { checkUpn } from './upn.validation.js';
import { date, limited, optional, required, ValueError } from './values.js';

/** How a CTF pupil becomes a `child` record. */
export interface CtfMapOptions {
  /** Put `BasicDetails/MiddleNames` between forename and surname in the child's name. */
  includeMiddleNames: boolean;
}

/**
 * A pupil of a CTF → a `child` record: sourceId `upn:<UPN>`, the legal forename and surname as
 * the name, `DOB`, and the UPN as the one identifier. The version is a hash of exactly those
 * values, so the same pupil in next term's CTF changes nothing.
 */
export function mapCtfPupil(pupil: CtfPupil, options: CtfMapOptions): MapResult {
  const [repeated] = pupil.repeated;
  if (repeated !== undefined) return reject(repeated, `${repeated} appears more than once`);
  try {
    const upnText = required(pupil.values.UPN, 'UPN');
    const upn = checkUpn(upnText);
    if (!upn.ok) return reject('UPN', upn.message);
    const forename = required(pupil.values.Forename, 'Forename', 100);
    const surname = required(pupil.values.Surname, 'Surname', 100);
    const middleNames = options.includeMiddleNames
      ? optional(pupil.values['BasicDetails/MiddleNames'])
      : undefined;
    const name = limited(
      [forename, middleNames, surname].filter((part) => part !== undefined).join(' '),
      options.includeMiddleNames ? 'BasicDetails/MiddleNames' : 'Surname',
      200,
    );
    // The CTF schema requires a date of birth, and the hub links a child only on one it can compare.
    const dateOfBirth = date(required(pupil.values.DOB, 'DOB'), 'DOB');
    return records({
      kind: 'child',
      sourceId: `upn:${upn.upn}`,
      sourceVersion: contentVersion([upn.upn, name, dateOfBirth]),
      child: { name, dateOfBirth, identifiers: [{ system: UPN_SYSTEM, value: upn.upn }] },
    });
  } catch (error) {
    if (error instanceof ValueError) return reject(error.field, error.message);
    throw error;
  }
}
