import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/** Who sits on a panel, for which agency, and whether they chair it. Fixed when convened. */
@ObjectType()
@Entity({ tableName: 'panel_member' })
@Unique({ properties: ['panelId', 'practitionerId'] })
export class PanelMember {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  panelId!: string;

  @Property({ type: 'uuid' })
  practitionerId!: string;

  @Property({ type: 'uuid' })
  agencyId!: string;

  @Field()
  @Property()
  chair!: boolean;
}
