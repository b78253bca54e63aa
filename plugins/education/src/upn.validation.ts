/**
 * The Unique Pupil Number (DfE Common Basic Data Set item P1, "Unique pupil numbers (UPNs)"
 * guidance): a check letter, the 3-digit local authority number, the 4-digit DfE establishment
 * number, the 2-digit year of issue and a 3-character serial whose last character is a letter
 * for a temporary UPN. Letters are A–Z without I, O and S.
 */

/** The check letters by value, 0–22; a temporary UPN's last letter has the same values. */
const LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

const UPN_SHAPE = /^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$/;

/**
 * The check letter of a UPN from its characters 2–13 (`upn` may be the whole UPN or those 12):
 * each character times its position (2 to 13), a temporary UPN's final letter counting as its
 * value in the letter table, summed, modulo 23, read back through the letter table.
 */
export function upnCheckLetter(upn: string): string {
  const body = upn.length === 13 ? upn.slice(1) : upn;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) {
    const char = body[i]!;
    const value = /\d/.test(char) ? Number(char) : LETTERS.indexOf(char);
    sum += value * (i + 2);
  }
  return LETTERS[sum % 23]!;
}

/** A UPN read from a source: valid, or the reason it is not. */
export type UpnCheck =
  { ok: true; upn: string; temporary: boolean } | { ok: false; message: string };

/**
 * Checks a UPN as a source gives it. Surrounding spaces and lower case are forgiven (exports
 * differ), nothing else: the shape first, then the check letter.
 */
export function checkUpn(value: string): UpnCheck {
  const upn = value.trim().toUpperCase();
  if (!UPN_SHAPE.test(upn)) {
    return {
      ok: false,
      message:
        'UPN must be 13 characters: a check letter, 11 digits, and a digit or a letter (not I, O or S)',
    };
  }
  if (upnCheckLetter(upn) !== upn[0]) return { ok: false, message: 'UPN fails its check letter' };
  return { ok: true, upn, temporary: !/\d/.test(upn[12]!) };
}
