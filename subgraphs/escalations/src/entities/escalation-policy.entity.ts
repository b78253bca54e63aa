import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Role } from '@hub/schema';

/** One stage of a policy, as stored (the GraphQL shape is StageDefinition). */
export interface StoredStage {
  name: string;
  participants: string;
  actingRoles: Role[];
  timescaleWorkingDays: number;
  resolutionPanel: boolean;
}

/**
 * One version of a board's escalation policy. A change inserts the next version; earlier versions
 * stay, because running escalations keep the version they were raised under.
 */
@Entity({ tableName: 'escalation_policy' })
@Unique({ properties: ['boardId', 'version'] })
export class EscalationPolicyVersion {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  boardId!: string;

  @Property()
  version!: number;

  @Property({ type: 'json' })
  stages!: StoredStage[];

  @Property()
  panelAgencyCount!: number;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  /** Who changed it; `hub` for the default a board starts with. */
  @Property()
  updatedBy!: string;
}
