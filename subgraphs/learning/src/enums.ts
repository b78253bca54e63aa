import { registerEnumType } from 'type-graphql';

/** A protocol amendment moves only forward: PROPOSED → ACCEPTED or REJECTED; ACCEPTED → IMPLEMENTED. */
export enum AmendmentStatus {
  PROPOSED = 'PROPOSED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  IMPLEMENTED = 'IMPLEMENTED',
}

/** The statuses each status may move to. */
export const AMENDMENT_TRANSITIONS: Readonly<Record<AmendmentStatus, readonly AmendmentStatus[]>> =
  {
    [AmendmentStatus.PROPOSED]: [AmendmentStatus.ACCEPTED, AmendmentStatus.REJECTED],
    [AmendmentStatus.ACCEPTED]: [AmendmentStatus.IMPLEMENTED],
    [AmendmentStatus.REJECTED]: [],
    [AmendmentStatus.IMPLEMENTED]: [],
  };

registerEnumType(AmendmentStatus, { name: 'AmendmentStatus' });
