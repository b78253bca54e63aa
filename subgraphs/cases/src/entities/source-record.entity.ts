import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A record that an agency plugin imported and linked to this case.' })
@Entity({ tableName: 'source_record' })
export class SourceRecord {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  caseId!: string;

  @Field()
  @Property()
  plugin!: string;

  @Field()
  @Property()
  sourceId!: string;

  @Property({ type: 'uuid' })
  agencyId!: string;

  @Field()
  @Property({ type: 'datetime' })
  importedAt!: Date;
}
