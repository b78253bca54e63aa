import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * How many times an escalation's themes were set: each EscalationTagged event carries the
 * revision, so the read model keeps the latest set whatever order events arrive in.
 */
@Entity({ tableName: 'escalation_tagging' })
export class EscalationTagging {
  @PrimaryKey({ type: 'uuid' })
  escalationId!: string;

  @Property()
  revision!: number;
}
