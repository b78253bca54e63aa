import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A practitioner's seat on the resolution panel of an escalation: a replica of the panels
 * subgraph's membership, written from PanelConvened, so that members see the escalation and its
 * record. Only reads depend on it; no write waits for it.
 */
@Entity({ tableName: 'panel_seat' })
export class PanelSeat {
  @PrimaryKey({ type: 'uuid' })
  escalationId!: string;

  @PrimaryKey({ type: 'uuid' })
  practitionerId!: string;

  @Property({ type: 'uuid' })
  panelId!: string;
}
