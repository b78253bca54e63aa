import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/** The panel's decision: one per panel (its primary key), never changed or deleted. */
@ObjectType()
@Entity({ tableName: 'panel_decision' })
export class PanelDecision {
  @PrimaryKey({ type: 'uuid' })
  panelId!: string;

  @Field()
  @Property({ type: 'text' })
  summary!: string;

  @Field()
  @Property({ type: 'text' })
  nextCourseOfAction!: string;

  @Field()
  @Property({ type: 'datetime' })
  decidedAt!: Date;

  @Property({ type: 'uuid' })
  decidedById!: string;
}
