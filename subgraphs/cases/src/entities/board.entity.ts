import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A local safeguarding children board or partnership. Each board sets its own escalation policy.',
})
@Entity({ tableName: 'board' })
export class Board {
  [OptionalProps]?: 'createdAt' | 'disclosureThreshold';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property()
  name!: string;

  @Field({
    description:
      'Working-day calendar region: GB-ENG, GB-WLS, GB-SCT or GB-NIR (bank holidays differ).',
  })
  @Property()
  region!: string;

  @Field(() => Int, {
    description:
      'Smallest non-zero count that analytics may show; smaller counts are suppressed. Default 5.',
  })
  @Property()
  disclosureThreshold: number = 5;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
