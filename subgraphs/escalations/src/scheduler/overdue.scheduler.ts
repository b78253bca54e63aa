import { recordEvent, type BackgroundTask, type SubgraphServices } from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { EscalationStage } from '../entities/escalation-stage.entity.js';
import { Escalation } from '../entities/escalation.entity.js';
import { eventFacts } from '../escalation-state.js';

/**
 * Marks a stage overdue and emits StageOverdue, once: the compare-and-set on
 * `overdue_emitted_at` lets exactly one caller (a scheduler run, another instance, or the
 * transaction that completes the stage late) emit the event. Resolves true when this call did.
 */
export async function markOverdue(
  tx: EntityManager,
  escalation: Escalation,
  stage: EscalationStage,
  now: Date,
): Promise<boolean> {
  const updated = await tx.nativeUpdate(
    EscalationStage,
    { id: stage.id, overdueEmittedAt: null },
    { overdueEmittedAt: now },
  );
  if (updated !== 1) return false;
  await recordEvent(tx, 'StageOverdue', escalation.id, {
    ...eventFacts(escalation),
    stageNumber: stage.number,
    enteredAt: stage.enteredAt.toISOString(),
    dueAt: stage.dueAt.toISOString(),
  });
  return true;
}

/**
 * Emits StageOverdue for every open stage past its dueAt that has not had it. The state lives in
 * the database, so this survives restarts: the run at start-up catches every stage that fell due
 * while the hub was down. (A stage completed late is marked by the transaction completing it.)
 */
export async function emitOverdueStages(
  em: EntityManager,
  now: Date,
  batchSize = 200,
): Promise<number> {
  let emitted = 0;
  for (;;) {
    const due = await em
      .fork()
      .find(
        EscalationStage,
        { overdueEmittedAt: null, completedAt: null, dueAt: { $lt: now } },
        { orderBy: { dueAt: 'asc', id: 'asc' }, limit: batchSize },
      );
    for (const stage of due) {
      const marked = await em.fork().transactional(async (tx) => {
        const escalation = await tx.findOneOrFail(Escalation, { id: stage.escalationId });
        return markOverdue(tx, escalation, stage, now);
      });
      if (marked) emitted += 1;
    }
    if (due.length < batchSize) return emitted;
  }
}

/** Runs `emitOverdueStages` at start and then every `intervalMs`, one run at a time. */
export function startOverdueScheduler(
  services: SubgraphServices,
  intervalMs: number,
): BackgroundTask {
  const log = services.log.child({ task: 'overdue-scheduler' });
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running
      .then(async () => {
        const emitted = await emitOverdueStages(services.db.orm.em.fork(), services.clock());
        if (emitted > 0) log.info({ emitted }, 'emitted StageOverdue');
      })
      .catch((error: unknown) => log.error({ err: error }, 'overdue scan failed; will retry'));
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
