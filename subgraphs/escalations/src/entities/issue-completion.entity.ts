import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** That an outstanding issue was done: appended, never changed, so the issue itself stays as agreed. */
@Entity({ tableName: 'outstanding_issue_completion' })
export class IssueCompletion {
  @PrimaryKey({ type: 'uuid' })
  issueId!: string;

  @Property({ type: 'uuid' })
  escalationId!: string;

  @Property({ type: 'uuid' })
  completedById!: string;

  @Property({ type: 'datetime' })
  completedAt!: Date;
}
