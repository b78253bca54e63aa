import { randomUUID } from 'node:crypto';
import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { AgencyKind } from '@hub/schema';
import { Field, ID, ObjectType } from 'type-graphql';
import { PanelStatus } from '../enums.js';

/** A resolution panel convened for one escalation at its policy's panel stage. */
@ObjectType()
@Entity({ tableName: 'resolution_panel' })
@Unique({ properties: ['escalationId'] })
export class ResolutionPanel {
  [OptionalProps]?: 'hearingAt' | 'decidedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** One panel per escalation: the unique key settles two simultaneous conveners. */
  @Property({ type: 'uuid' })
  escalationId!: string;

  @Property({ type: 'uuid' })
  boardId!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  /** The escalation's stage the panel sits at (the policy's panel stage). */
  @Property()
  stageNumber!: number;

  /** The two agencies, fixed when convened: they see the panel and make representations. */
  @Property({ type: 'uuid' })
  raisingAgencyId!: string;

  @Enum(() => AgencyKind)
  raisingAgencyKind!: AgencyKind;

  @Property({ type: 'uuid' })
  respondingAgencyId!: string;

  @Enum(() => AgencyKind)
  respondingAgencyKind!: AgencyKind;

  @Field(() => PanelStatus)
  @Enum(() => PanelStatus)
  status!: PanelStatus;

  @Property({ type: 'uuid' })
  convenedById!: string;

  @Field()
  @Property({ type: 'datetime' })
  convenedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  hearingAt: Date | null = null;

  @Field(() => [String], {
    description:
      'Why the composition departs from the default, e.g. a concerned agency had no eligible member.',
  })
  @Property({ type: 'json' })
  compositionNotes!: string[];
}
