import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** A statement one of the two agencies made to the panel. Append-only: never edited or deleted. */
@ObjectType()
@Entity({ tableName: 'representation' })
export class Representation {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  panelId!: string;

  @Property({ type: 'uuid' })
  agencyId!: string;

  @Property({ type: 'uuid' })
  submittedById!: string;

  @Field()
  @Property({ type: 'text' })
  statement!: string;

  @Field()
  @Property({ type: 'datetime' })
  submittedAt!: Date;
}
