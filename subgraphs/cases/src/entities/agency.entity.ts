import { randomUUID } from 'node:crypto';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { AgencyKind } from '@hub/schema';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

@Directive('@key(fields: "id")')
@ObjectType()
@Entity({ tableName: 'agency' })
export class Agency {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  boardId!: string;

  @Field()
  @Property()
  name!: string;

  @Field(() => AgencyKind)
  @Enum(() => AgencyKind)
  kind!: AgencyKind;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
