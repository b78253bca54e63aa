import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** The debrief held once an escalation is resolved or closed: what was learned. Append-only. */
@ObjectType()
@Entity({ tableName: 'debrief' })
@Unique({ properties: ['escalationId'] })
export class Debrief {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** One debrief per escalation: the unique key settles two recorded at once. */
  @Property({ type: 'uuid' })
  escalationId!: string;

  @Property({ type: 'uuid' })
  boardId!: string;

  @Field()
  @Property({ type: 'datetime' })
  heldAt!: Date;

  @Field()
  @Property({ type: 'text' })
  notes!: string;

  @Field(() => [String])
  @Property({ type: 'json' })
  lessons!: string[];

  @Property({ type: 'json' })
  attendeeIds!: string[];

  @Property({ type: 'uuid' })
  recordedById!: string;

  @Property({ type: 'datetime' })
  recordedAt!: Date;
}
