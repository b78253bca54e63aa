import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { StageResult } from '../enums.js';

@ObjectType()
@Entity({ tableName: 'escalation_stage' })
@Unique({ properties: ['escalationId', 'number'] })
export class EscalationStage {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  escalationId!: string;

  @Field(() => Int)
  @Property()
  number!: number;

  @Field()
  @Property()
  name!: string;

  @Field()
  @Property({ type: 'datetime' })
  enteredAt!: Date;

  @Field({
    description:
      "End (17:00 local time) of the last working day allowed, in the board's region, skipping weekends and bank holidays.",
  })
  @Property({ type: 'datetime' })
  dueAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  @Field(() => StageResult, { nullable: true })
  @Enum({ items: () => StageResult, nullable: true })
  result: StageResult | null = null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why the escalation entered this stage: the escalation reason, or the immediate-risk justification.',
  })
  @Property({ type: 'text', nullable: true })
  entryReason: string | null = null;

  /** When StageOverdue was emitted for this stage; set once, so the event goes out once. */
  @Property({ type: 'datetime', nullable: true })
  overdueEmittedAt: Date | null = null;

  /** Not completed and past dueAt, or completed after dueAt. */
  isOverdue(now: Date): boolean {
    return (this.completedAt ?? now).getTime() > this.dueAt.getTime();
  }
}
