import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType()
@Entity({ tableName: 'agreed_outcome' })
export class AgreedOutcome {
  @PrimaryKey({ type: 'uuid' })
  escalationId!: string;

  @Field()
  @Property({ type: 'text' })
  summary!: string;

  @Field()
  @Property({ type: 'datetime' })
  agreedAt!: Date;

  @Field(() => Int)
  @Property()
  agreedAtStage!: number;

  @Property({ type: 'uuid' })
  agreedById!: string;
}
