import { BadUserInputError } from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { EscalationPolicyVersion, type StoredStage } from '../entities/escalation-policy.entity.js';
import type { StageDefinitionInput } from '../inputs/stage-definition.input.js';
import type { EscalationPolicy } from '../types/escalation-policy.type.js';
import { DEFAULT_PANEL_AGENCY_COUNT, DEFAULT_STAGES } from './default-policy.js';

/** The board's newest policy version, or null when it has none yet. */
export function latestPolicy(
  em: EntityManager,
  boardId: string,
): Promise<EscalationPolicyVersion | null> {
  return em.findOne(EscalationPolicyVersion, { boardId }, { orderBy: { version: 'desc' } });
}

/**
 * The board's newest policy version. A board with none yet gets the default as version 1: the
 * BoardCreated consumer normally writes it, and this covers a board whose event has not arrived,
 * so no write waits on the bus.
 */
export async function currentPolicy(
  em: EntityManager,
  boardId: string,
  now: Date,
): Promise<EscalationPolicyVersion> {
  return (await latestPolicy(em, boardId)) ?? ensureDefaultPolicy(em, boardId, now);
}

/** Writes the default policy as version 1 unless the board has one; safe to race. */
export async function ensureDefaultPolicy(
  em: EntityManager,
  boardId: string,
  now: Date,
): Promise<EscalationPolicyVersion> {
  const existing = await em.findOne(EscalationPolicyVersion, { boardId, version: 1 });
  if (existing) return existing;
  try {
    // A nested transaction (a savepoint when the caller is in one, e.g. an event consumer):
    // forking here would wait for the caller's own connection on SQLite.
    return await em.transactional(async (tx) => {
      const created = tx.create(EscalationPolicyVersion, {
        boardId,
        version: 1,
        stages: DEFAULT_STAGES,
        panelAgencyCount: DEFAULT_PANEL_AGENCY_COUNT,
        updatedAt: now,
        updatedBy: 'hub',
      });
      return created;
    });
  } catch (error) {
    // Another request wrote it first (unique board/version): use theirs.
    const theirs = await em.findOne(
      EscalationPolicyVersion,
      { boardId, version: 1 },
      { refresh: true },
    );
    if (theirs) return theirs;
    throw error;
  }
}

/** The rules a whole policy must meet beyond each field's own limits. */
export function validateStages(stages: StageDefinitionInput[]): StoredStage[] {
  const panelStages = stages.flatMap((stage, i) => (stage.resolutionPanel ? [i] : []));
  if (panelStages.length > 1) {
    throw new BadUserInputError(
      `input.stages.${panelStages[1]}.resolutionPanel`,
      'a policy has at most one resolution panel stage',
    );
  }
  if (panelStages.length === 1 && panelStages[0] !== stages.length - 1) {
    throw new BadUserInputError(
      `input.stages.${panelStages[0]}.resolutionPanel`,
      'the resolution panel stage must be the last stage',
    );
  }
  return stages.map((stage) => ({
    name: stage.name.trim(),
    participants: stage.participants.trim(),
    actingRoles: [...new Set(stage.actingRoles)],
    timescaleWorkingDays: stage.timescaleWorkingDays,
    resolutionPanel: stage.resolutionPanel,
  }));
}

export function toPolicyType(policy: EscalationPolicyVersion): EscalationPolicy {
  return {
    boardId: policy.boardId,
    version: policy.version,
    panelAgencyCount: policy.panelAgencyCount,
    updatedAt: policy.updatedAt,
    stages: policy.stages.map((stage, i) => ({ number: i + 1, ...stage })),
  };
}
