import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A child. `name`, `dateOfBirth` and identifiers are exposed only through field resolvers that
 * check the caller's agency is involved in one of the child's cases; they carry no @Field here
 * so that no default resolver can leak them.
 */
@Directive('@key(fields: "id")')
@ObjectType()
@Entity({ tableName: 'child_subject' })
export class ChildSubject {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  boardId!: string;

  @Property()
  name!: string;

  /** ISO calendar date, YYYY-MM-DD. */
  @Property({ type: 'string', nullable: true })
  dateOfBirth: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
