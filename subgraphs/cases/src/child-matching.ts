import { randomUUID } from 'node:crypto';
import { AuditEntry, findByKeys, HubError, insertRows, selectRows } from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import type { CasesContext } from './context.js';
import { ChildIdentifier } from './entities/child-identifier.entity.js';
import { ChildSubject } from './entities/child-subject.entity.js';
import type { ChildSubjectInput } from './inputs/child-subject.input.js';

/** The audit action of a createCase refused at matching its child. */
export const CHILD_MATCH_REFUSED = 'case.create.child-refused';

/**
 * Refusals by one practitioner within `REFUSAL_WARN_WINDOW_MS` that log one WARN line (a board's
 * cue to look at the audit log for someone trying identifiers).
 */
export const REFUSAL_WARN_THRESHOLD = 5;

/** The period over which refusals are counted: 24 hours. */
export const REFUSAL_WARN_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * createCase refused at matching its child. A client sees only the message and `field`, which
 * say nothing recorded about any child; `childIds` and `systems` are for the audit log.
 */
export class ChildMatchRefusedError extends HubError {
  constructor(
    code: 'CONFLICT' | 'BAD_USER_INPUT',
    field: string,
    message: string,
    readonly childIds: string[],
    readonly systems: string[],
  ) {
    super(code, `${field}: ${message}`, { field });
  }
}

/**
 * A name as matching compares it: without regard to case, accents, punctuation or spacing, so
 * "Éllie  Marsh-" and "ellie marsh" agree. Upper-casing first folds "ß" and "SS" together.
 */
export function comparableName(name: string): string {
  return name
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Whether a new case's child is the child recorded: the names agree, and a recorded date of birth
 * is given and equal. With none recorded there is nothing the given one could contradict, so the
 * identifier and the name decide (docs/decisions.md says why).
 */
export function isSameChild(
  recorded: Pick<ChildSubject, 'name' | 'dateOfBirth'>,
  given: Pick<ChildSubjectInput, 'name' | 'dateOfBirth'>,
): boolean {
  const name = comparableName(recorded.name);
  if (name === '' || name !== comparableName(given.name)) return false;
  return recorded.dateOfBirth === null || recorded.dateOfBirth === (given.dateOfBirth ?? null);
}

/** How a caller other than createCase matches a child (ingest). */
export interface ChildMatchOptions {
  /** Where the child is in the caller's input, for a refusal's field. @default 'input.child' */
  field?: string;
  /**
   * Refuse rather than create a child when one of the same comparable name is on the board
   * without any of the identifiers and no date of birth tells them apart: only a person can say
   * whether it is the same child (ingest never merges on a name, nor silently adds a second).
   */
  refusePossibleMatch?: boolean;
  /** The child an earlier version of the same source record was linked to: it must stay that child. */
  linkedChildId?: string;
}

/** A child as matching answers it: what it compared, and the id a case links to. */
export type MatchedChild = Pick<ChildSubject, 'id' | 'boardId' | 'name' | 'dateOfBirth'>;

/** The child matched, and what matching wrote. */
export interface ChildMatch {
  child: MatchedChild;
  created: boolean;
  /** Identifiers the child lacked and now has. */
  addedIdentifiers: number;
}

/**
 * The child of a new case. A child already known on the board by one of the given identifiers is
 * linked only when it is the same child (`isSameChild`); its record is kept as written and gains
 * the identifiers it lacked. Otherwise the case is refused without a word about that child. Writes
 * identifiers before returning, so that a clash with a request recording the same identifier at the
 * same moment fails here, on the board-scoped unique key. Answers the child and what it wrote.
 */
export async function matchChild(
  em: EntityManager,
  boardId: string,
  input: ChildSubjectInput,
  options: ChildMatchOptions = {},
): Promise<ChildMatch> {
  const field = options.field ?? 'input.child';
  const identifiers = (input.identifiers ?? [])
    .map((identifier, index) => ({
      index,
      system: identifier.system,
      value:
        identifier.system === 'nhs-number'
          ? identifier.value.replace(/\s/g, '')
          : identifier.value.trim(),
    }))
    // One insertion order for every request, so two of them never wait on each other's rows.
    .sort((a, b) => compare(a.system, b.system) || compare(a.value, b.value));
  const known = identifiers.length > 0 ? await knownIdentifiers(em, boardId, identifiers) : [];
  const childIds = [...new Set(known.map((row) => row.childId))].sort();
  const systems = [...new Set(known.map((row) => row.system))].sort();
  if (childIds.length > 1) {
    throw new ChildMatchRefusedError(
      'BAD_USER_INPUT',
      `${field}.identifiers`,
      'these identifiers belong to different children on this board',
      childIds,
      systems,
    );
  }
  const isKnown = (i: { system: string; value: string }) =>
    known.some((row) => row.system === i.system && row.value === i.value);
  const refuseKnown = (): never => {
    const first = identifiers.filter(isKnown).sort((a, b) => a.index - b.index)[0];
    throw new ChildMatchRefusedError(
      'CONFLICT',
      `${field}.identifiers.${first.index}.value`,
      `this ${first.system} is recorded for a different child on this board: check the number`,
      childIds,
      systems,
    );
  };

  let child: MatchedChild;
  let created = false;
  if (options.linkedChildId) {
    if (childIds.length === 1 && childIds[0] !== options.linkedChildId) refuseKnown();
    child = await boardChild(em, options.linkedChildId, boardId);
    if (!isSameChild(child, input)) {
      throw new ChildMatchRefusedError(
        'CONFLICT',
        field,
        'no longer agrees with the child this source record was linked to (name or date of birth): the hub keeps the child as recorded, and a person must correct either record',
        [child.id],
        [],
      );
    }
  } else if (childIds.length === 1) {
    child = await boardChild(em, childIds[0], boardId);
    if (!isSameChild(child, input)) refuseKnown();
  } else {
    if (options.refusePossibleMatch) {
      await refusePossibleMatch(em, boardId, input, identifiers, field);
    }
    child = {
      id: randomUUID(),
      boardId,
      name: input.name.trim(),
      dateOfBirth: input.dateOfBirth ?? null,
    };
    created = true;
    // Written at once as a row, not an entity flushed by the unit of work: nothing here changes
    // it again, and its identifiers and case refer to it (foreign keys are plain columns).
    await insertRows(em, ChildSubject, [{ ...child, createdAt: new Date() }]);
  }
  const missing = identifiers.filter((i) => !isKnown(i));
  await insertRows(
    em,
    ChildIdentifier,
    missing.map(({ system, value }) => ({
      id: randomUUID(),
      childId: child.id,
      boardId,
      system,
      value,
    })),
  );
  return { child, created, addedIdentifiers: created ? 0 : missing.length };
}

/**
 * Refuses a new child when the board has one of the same comparable name that no date of birth
 * tells apart (equal, or missing on either side) and that shares none of its identifiers.
 *
 * "Shares none" is asked in the same statement as the namesakes. Asked apart (matching's lookup
 * of the identifiers comes first), a request recording the same child at the same moment could
 * commit between the two on PostgreSQL, whose statements each see what was committed when they
 * began: its child would then be seen without its identifiers and refused as a possible match,
 * where it is the same child, found by its identifier once the insert of that identifier clashes
 * and the caller looks again (a test applies one record in twelve batches at once).
 */
async function refusePossibleMatch(
  em: EntityManager,
  boardId: string,
  input: ChildSubjectInput,
  identifiers: readonly { system: string; value: string }[],
  field: string,
): Promise<void> {
  const name = comparableName(input.name);
  const dateOfBirth = input.dateOfBirth ?? null;
  const pairs = identifiers.map(() => '(i."system" = ? and i."value" = ?)').join(' or ');
  const sharesNone = identifiers.length
    ? ` and not exists (select 1 from child_identifier i where i.child_id = c.id and (${pairs}))`
    : '';
  const pairParams = identifiers.flatMap(({ system, value }) => [system, value]);
  const children = (condition: string) =>
    `select c.id, c.name from child_subject c where c.board_id = ?${condition}${sharesNone}`;
  // With a date of birth, the equal and the missing ones: two selects on the (board, date of
  // birth) index in one statement, rather than one `or`, which neither SQLite nor PostgreSQL
  // reliably answers from the index (that read every child of the board).
  const candidates = await selectRows<{ id: string; name: string }>(
    em,
    dateOfBirth
      ? `${children(' and c.date_of_birth = ?')} union all ${children(' and c.date_of_birth is null')}`
      : children(''),
    dateOfBirth
      ? [boardId, dateOfBirth, ...pairParams, boardId, ...pairParams]
      : [boardId, ...pairParams],
  );
  const alike = candidates.filter((candidate) => comparableName(candidate.name) === name);
  if (alike.length === 0) return;
  throw new ChildMatchRefusedError(
    'CONFLICT',
    field,
    `a child with this name${dateOfBirth ? ' and date of birth' : ''} is already recorded on this board without these identifiers: a person must confirm whether it is the same child (nothing was linked or created)`,
    alike.map((candidate) => candidate.id).sort(),
    [],
  );
}

/**
 * Writes a refusal to the audit log (in a transaction of its own: the case's rolled back), naming
 * the identifier systems, never their values. The refusal that brings one practitioner's count
 * within the window to the threshold logs one WARN line.
 */
export async function auditChildMatchRefusal(
  ctx: CasesContext,
  refusal: ChildMatchRefusedError,
): Promise<void> {
  await ctx.audit({
    action: CHILD_MATCH_REFUSED,
    entityType: 'ChildSubject',
    entityIds: [...refusal.childIds, ...refusal.systems.map((system) => `system:${system}`)],
  });
  // Audit entries are stamped with the system clock, so the window is counted on it too.
  const since = new Date(Date.now() - REFUSAL_WARN_WINDOW_MS);
  const refusals = await ctx.em
    .fork()
    .count(AuditEntry, { action: CHILD_MATCH_REFUSED, actorId: ctx.actor.id, at: { $gte: since } });
  if (refusals === REFUSAL_WARN_THRESHOLD) {
    ctx.log.warn(
      {
        practitionerId: ctx.actor.id,
        agencyId: ctx.actor.agencyId,
        boardId: ctx.actor.boardId,
        refusals,
        windowHours: REFUSAL_WARN_WINDOW_MS / 3_600_000,
        systems: refusal.systems,
      },
      `createCase refused ${refusals} times in 24 hours for identifiers recorded for another child: see the audit log (${CHILD_MATCH_REFUSED})`,
    );
  }
}

/**
 * The board's child of that id, which its identifier or a ledger entry named (so it exists):
 * `findOneOrFail` by id and board, through the kit's lookup by key rather than a query.
 */
async function boardChild(em: EntityManager, id: string, boardId: string): Promise<MatchedChild> {
  const [child] = await findByKeys(em, ChildSubject, 'id', [id]);
  if (child?.boardId !== boardId) throw new Error(`child ${id} is not on board ${boardId}`);
  return child;
}

/**
 * The board's identifiers among `identifiers`, as rows rather than entities: nothing changes
 * them, and an ORM query cost five times the statement (matching runs for every ingested child
 * and case; docs/decisions.md, "Performance").
 */
function knownIdentifiers(
  em: EntityManager,
  boardId: string,
  identifiers: readonly { system: string; value: string }[],
): Promise<Pick<ChildIdentifier, 'childId' | 'system' | 'value'>[]> {
  const pairs = identifiers.map(() => '("system" = ? and "value" = ?)').join(' or ');
  return selectRows(
    em,
    `select child_id as "childId", "system", "value" from child_identifier where board_id = ? and (${pairs})`,
    [boardId, ...identifiers.flatMap(({ system, value }) => [system, value])],
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
