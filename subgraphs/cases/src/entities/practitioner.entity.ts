import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Role } from '@hub/schema';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { EXTERNAL_SUBJECT_MAX_LENGTH } from '../external-subject.js';

@Directive('@key(fields: "id")')
@ObjectType()
@Entity({ tableName: 'practitioner' })
export class Practitioner {
  [OptionalProps]?: 'createdAt' | 'active' | 'version';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  agencyId!: string;

  /** Denormalized from the agency (agencies never move board) so visibility checks need no join. */
  @Property({ type: 'uuid' })
  boardId!: string;

  @Field()
  @Property()
  name!: string;

  @Field()
  @Property({ unique: true })
  email!: string;

  @Field(() => [Role])
  @Property({ type: 'json' })
  roles!: Role[];

  @Property({ type: 'uuid', nullable: true })
  lineManagerId: string | null = null;

  /**
   * The subject (`sub`) an external OIDC issuer puts in this practitioner's tokens; null until an
   * administrator sets it. Only administrators see it (PractitionerResolver.externalSubject).
   */
  @Property({ type: 'string', length: EXTERNAL_SUBJECT_MAX_LENGTH, nullable: true, unique: true })
  externalSubject: string | null = null;

  @Field()
  @Property()
  active: boolean = true;

  @Property({ version: true })
  version: number = 1;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
