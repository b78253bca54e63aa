import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { RecordKind } from '../enums.js';

@ObjectType({
  description: 'One entry of the written record. Records are append-only: never edited or deleted.',
})
@Entity({ tableName: 'escalation_record' })
export class EscalationRecord {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  escalationId!: string;

  @Field(() => Int)
  @Property()
  stageNumber!: number;

  @Field(() => RecordKind)
  @Enum(() => RecordKind)
  kind!: RecordKind;

  @Property({ type: 'uuid' })
  authorId!: string;

  @Field()
  @Property({ type: 'text' })
  text!: string;

  @Field({ description: 'When the discussion, action or decision took place.' })
  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Field()
  @Property({ type: 'datetime' })
  recordedAt!: Date;

  /**
   * Its place among the records one change writes at one instant (the concern before the
   * consultation when an escalation is raised at a later stage); the record is read in the order
   * things happened: occurredAt, then recordedAt, then this.
   */
  @Property()
  sequence: number = 0;

  /** Practitioner ids; always includes the raiser (and the respondent when named). */
  @Property({ type: 'json' })
  sharedWithIds!: string[];
}
