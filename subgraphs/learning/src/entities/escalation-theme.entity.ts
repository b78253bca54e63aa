import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A theme an escalation is tagged with. */
@Entity({ tableName: 'escalation_theme' })
export class EscalationTheme {
  @PrimaryKey({ type: 'uuid' })
  escalationId!: string;

  @PrimaryKey()
  themeCode!: string;

  @Property({ type: 'uuid' })
  boardId!: string;

  @Property({ type: 'uuid' })
  taggedById!: string;

  @Property({ type: 'datetime' })
  taggedAt!: Date;
}
