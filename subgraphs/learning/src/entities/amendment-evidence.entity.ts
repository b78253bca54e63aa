import { Entity, PrimaryKey } from '@mikro-orm/core';

/** An escalation a proposer cited as evidence for an amendment (never shown to analysts). */
@Entity({ tableName: 'amendment_evidence' })
export class AmendmentEvidence {
  @PrimaryKey({ type: 'uuid' })
  amendmentId!: string;

  @PrimaryKey({ type: 'uuid' })
  escalationId!: string;
}
