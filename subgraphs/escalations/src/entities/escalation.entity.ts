import { randomUUID } from 'node:crypto';
import { Entity, Unique, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { AgencyKind } from '@hub/schema';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DisagreementCategory, EscalationGround, EscalationStatus } from '../enums.js';

@Directive('@key(fields: "id")')
@ObjectType()
@Entity({ tableName: 'escalation' })
@Unique({ properties: ['boardId', 'reference'] })
export class Escalation {
  [OptionalProps]?:
    | 'version'
    | 'closedAt'
    | 'currentStageNumber'
    | 'currentStageDueAt'
    | 'riskJustification'
    | 'consultedId';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'Board-unique human reference, e.g. ESC-2027-000042.' })
  @Property()
  reference!: string;

  @Property({ type: 'uuid' })
  boardId!: string;

  /** The board's working-day calendar region, fixed when raised. */
  @Property()
  region!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'uuid' })
  raisedById!: string;

  @Property({ type: 'uuid' })
  raisingAgencyId!: string;

  @Enum(() => AgencyKind)
  raisingAgencyKind!: AgencyKind;

  @Property({ type: 'uuid' })
  respondingAgencyId!: string;

  @Enum(() => AgencyKind)
  respondingAgencyKind!: AgencyKind;

  @Property({ type: 'uuid', nullable: true })
  respondentId!: string | null;

  @Field(() => DisagreementCategory)
  @Enum(() => DisagreementCategory)
  category!: DisagreementCategory;

  @Field(() => EscalationGround)
  @Enum(() => EscalationGround)
  ground!: EscalationGround;

  @Field()
  @Property({ type: 'text' })
  summary!: string;

  @Field()
  @Property({ type: 'text' })
  desiredOutcome!: string;

  @Field()
  @Property()
  immediateRisk!: boolean;

  @Field(() => EscalationStatus)
  @Enum(() => EscalationStatus)
  status!: EscalationStatus;

  @Field(() => Int, { description: 'The policy version this escalation runs under.' })
  @Property()
  policyVersion!: number;

  /** The stage it is at while OPEN; null otherwise. */
  @Property({ nullable: true })
  currentStageNumber: number | null = null;

  /** The current stage's dueAt, kept beside it so overdue escalations are one indexed query. */
  @Property({ type: 'datetime', nullable: true })
  currentStageDueAt: Date | null = null;

  @Field()
  @Property({ type: 'datetime' })
  raisedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;

  /**
   * Optimistic concurrency token. Changed only by a compare-and-set update (escalation-state.ts),
   * never by the ORM's own versioning, so a stale writer fails before it writes anything else.
   */
  @Field(() => Int, {
    description: 'Optimistic concurrency token: pass it back as expectedVersion.',
  })
  @Property()
  version: number = 1;

  /** Why a later start was justified (immediate risk), and who was consulted. */
  @Property({ type: 'text', nullable: true })
  riskJustification: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  consultedId: string | null = null;
}
