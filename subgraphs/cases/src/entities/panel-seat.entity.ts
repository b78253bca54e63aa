import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A practitioner's seat on a resolution panel about a case: a replica of the panels subgraph's
 * membership, written from PanelConvened, so that members see the case the panel hears (not the
 * child's details, which stay with the involved agencies). Only reads depend on it.
 */
@Entity({ tableName: 'panel_seat' })
export class PanelSeat {
  @PrimaryKey({ type: 'uuid' })
  panelId!: string;

  @PrimaryKey({ type: 'uuid' })
  practitionerId!: string;

  @Property({ type: 'uuid' })
  caseId!: string;
}
