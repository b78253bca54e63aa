import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** An agency's involvement in a case: what makes the case, and its child, visible to it. */
@Entity({ tableName: 'case_agency' })
export class CaseAgency {
  [OptionalProps]?: 'addedAt';

  @PrimaryKey({ type: 'uuid' })
  caseId!: string;

  @PrimaryKey({ type: 'uuid' })
  agencyId!: string;

  @Property()
  addedBy!: string;

  @Property({ type: 'datetime' })
  addedAt: Date = new Date();
}
