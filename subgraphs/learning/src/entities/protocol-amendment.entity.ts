import { randomUUID } from 'node:crypto';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AmendmentStatus } from '../enums.js';

@ObjectType({
  description: "A change to the board's protocols or procedures that lessons learned call for.",
})
@Entity({ tableName: 'protocol_amendment' })
export class ProtocolAmendment {
  [OptionalProps]?: 'decidedById' | 'decidedAt' | 'implementedById' | 'implementedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  boardId!: string;

  @Field()
  @Property()
  title!: string;

  @Field()
  @Property({ type: 'text' })
  rationale!: string;

  @Property({ type: 'json' })
  themeCodes!: string[];

  @Field(() => AmendmentStatus)
  @Enum(() => AmendmentStatus)
  status!: AmendmentStatus;

  @Property({ type: 'uuid' })
  proposedById!: string;

  @Field()
  @Property({ type: 'datetime' })
  proposedAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  decidedById: string | null = null;

  @Field(() => Date, { nullable: true, description: 'When it was accepted or rejected.' })
  @Property({ type: 'datetime', nullable: true })
  decidedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  implementedById: string | null = null;

  @Field(() => Date, { nullable: true, description: 'When the board marked it implemented.' })
  @Property({ type: 'datetime', nullable: true })
  implementedAt: Date | null = null;

  @Field(() => Int, { description: 'How many escalations the proposer cited as evidence.' })
  @Property()
  evidenceCount!: number;
}
