import { ConflictError } from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { isCalendarRegion, workingDaysBetween } from './calendar/working-days.js';
import { Escalation } from './entities/escalation.entity.js';

/**
 * Compare-and-set on the escalation's version: the first write of every state change. Of two
 * changes made with the same expectedVersion, one updates the row and the other finds no row
 * to update (PostgreSQL makes it wait for the first to commit; SQLite runs them one after the
 * other) and fails with CONFLICT before writing anything. Returns the escalation as it now is.
 */
export async function claimVersion(
  tx: EntityManager,
  id: string,
  expectedVersion: number,
): Promise<Escalation> {
  const updated = await tx.nativeUpdate(
    Escalation,
    { id, version: expectedVersion },
    { version: expectedVersion + 1 },
  );
  if (updated !== 1) {
    const current = await tx.findOne(Escalation, { id }, { refresh: true });
    throw new ConflictError(
      `The escalation has changed since version ${expectedVersion} (it is at version ${current?.version ?? '?'}): reload it and try again.`,
    );
  }
  return tx.findOneOrFail(Escalation, { id }, { refresh: true });
}

/** The fields every escalation event carries: what learning needs, and nothing personal. */
export function eventFacts(escalation: Escalation): Record<string, unknown> {
  return {
    escalationId: escalation.id,
    boardId: escalation.boardId,
    category: escalation.category,
    ground: escalation.ground,
    raisingAgencyKind: escalation.raisingAgencyKind,
    respondingAgencyKind: escalation.respondingAgencyKind,
    immediateRisk: escalation.immediateRisk,
    policyVersion: escalation.policyVersion,
    raisedAt: escalation.raisedAt.toISOString(),
  };
}

/**
 * Working days in the escalation's region from its raising to an outcome agreed at `agreedAt`,
 * for the learning subgraph's statistics (which keep no dates finer than a month, and no
 * calendar of their own).
 */
export function workingDaysToOutcome(escalation: Escalation, agreedAt: Date): number | null {
  return isCalendarRegion(escalation.region)
    ? workingDaysBetween(escalation.region, escalation.raisedAt, agreedAt)
    : null;
}
