import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Settings the learning subgraph creates for itself, e.g. the read model's hashing key. */
@Entity({ tableName: 'learning_setting' })
export class LearningSetting {
  @PrimaryKey()
  name!: string;

  @Property()
  value!: string;
}
