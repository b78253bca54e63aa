import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** A theme of the taxonomy the hub ships (migrations/themes.ts). */
@ObjectType()
@Entity({ tableName: 'learning_theme' })
export class LearningTheme {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Field({ description: 'Stable code, e.g. INFORMATION_SHARING.' })
  @Property()
  code!: string;

  @Field()
  @Property()
  title!: string;

  @Field()
  @Property({ type: 'text' })
  description!: string;

  @Field()
  @Property()
  active!: boolean;

  /** The theme's bit in the statistics read model's theme mask. */
  @Property()
  bit!: number;
}
