import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** An identifier of a child in an agency system (nhs-number, upn, police-person-id, ...). */
@Entity({ tableName: 'child_identifier' })
@Unique({ properties: ['boardId', 'system', 'value'] })
export class ChildIdentifier {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  childId!: string;

  /** Identifiers are unique within a board: the same NHS number is the same child. */
  @Property({ type: 'uuid' })
  boardId!: string;

  @Property()
  system!: string;

  @Property()
  value!: string;
}
