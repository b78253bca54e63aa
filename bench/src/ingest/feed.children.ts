import { FAMILY_NAMES, GIVEN_NAMES } from '../dataset/vocabulary.js';
import type { Random } from '../dataset/prng.js';

/**
 * The children a generated feed is about: new ones, unique on the board by construction, and
 * children the board already knows (from the dataset), sent as recorded so that they link.
 *
 * New children never meet the dataset's: their names have three parts (the dataset's have two),
 * their NHS numbers start with 3 (the dataset's with 4 to 9) and their UPNs' local authority
 * number is 200–299 (the dataset's 300 and up). Each feed has a list of middle names of its own,
 * so that a health feed's children and a school's never take each other for a possible match,
 * and no two children of one feed share a name and a date of birth (the hub refuses a new child
 * whose name and date of birth match another's without a strong identifier to tell them apart).
 */

/** Middle names of the health feed's children. */
export const HEALTH_MIDDLE_NAMES = [
  'Rose',
  'James',
  'Grace',
  'Thomas',
  'Mae',
  'Alexander',
  'Hope',
  'William',
  'Elizabeth',
  'Edward',
  'Jane',
  'Louis',
  'Anne',
  'Joseph',
  'Marie',
  'David',
  'Faith',
  'Samuel',
  'Louise',
  'Michael',
] as const;

/** Middle names of the school feed's children. */
export const SCHOOL_MIDDLE_NAMES = [
  'Olivia',
  'Henry',
  'Jade',
  'Robert',
  'Skye',
  'Peter',
  'Eve',
  'Benjamin',
  'Kate',
  'Francis',
  'Belle',
  'Patrick',
  'Joy',
  'Stephen',
  'Iris',
  'Matthew',
  'June',
  'Anthony',
  'Pearl',
  'Gabriel',
] as const;

const DAY_MS = 86_400_000;

/** A new child of a feed. */
export interface FeedChild {
  given: string[];
  family: string;
  /** `Given Middle Family`. */
  name: string;
  dateOfBirth: string;
  identifier: string;
}

/** An NHS number from n: 3 then n scrambled (a bijection mod 10^8), and the modulus-11 check digit; null when n has none. */
export function feedNhsNumber(n: number): string | null {
  const body = `3${String((n * 7_654_321 + 1_234_567) % 100_000_000).padStart(8, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(body[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return null;
  return `${body}${check === 11 ? 0 : check}`;
}

const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** A permanent UPN from n: local authority 2xx, then n scrambled (a bijection mod 10^11), with its check letter. */
export function feedUpn(n: number): string {
  const body = `2${String((n * 7_654_321 + 1_234_567) % 100_000_000_000).padStart(11, '0')}`;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(body[i]) * (i + 2);
  return `${UPN_LETTERS[sum % 23]}${body}`;
}

/** Makes a feed's new children: unique identifiers, and no two with one name and birth date. */
export class ChildMaker {
  private n = 0;
  private readonly taken = new Set<string>();

  constructor(
    private readonly random: Random,
    private readonly middleNames: readonly string[],
    private readonly identifierOf: (n: number) => string | null,
    /** Ages (whole years at `epoch`) the feed's children have. */
    private readonly ages: { min: number; max: number },
    private readonly epoch: Date,
  ) {}

  next(): FeedChild {
    let identifier: string | null = null;
    while (identifier === null) identifier = this.identifierOf(this.n++);
    for (;;) {
      const given = [this.random.pick(GIVEN_NAMES), this.random.pick(this.middleNames)];
      const family = this.random.pick(FAMILY_NAMES);
      const days = this.random.int(this.ages.min * 365 + 1, this.ages.max * 365 + 364);
      const dateOfBirth = new Date(this.epoch.getTime() - days * DAY_MS).toISOString().slice(0, 10);
      const name = `${given.join(' ')} ${family}`;
      const key = `${name}|${dateOfBirth}`;
      if (this.taken.has(key)) continue;
      this.taken.add(key);
      return { given, family, name, dateOfBirth, identifier };
    }
  }
}

/** An instant as FHIR and the log write it, to the second, in UTC. */
export function instantText(at: number): string {
  return `${new Date(Math.floor(at / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
