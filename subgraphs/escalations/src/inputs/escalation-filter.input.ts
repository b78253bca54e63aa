import { IsOptional, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DisagreementCategory, EscalationStatus } from '../enums.js';

const UUID = { message: 'must be an id (UUID)' };

@InputType()
export class EscalationFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', UUID)
  boardId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', UUID)
  caseId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Escalations where this agency is raising or responding.',
  })
  @IsOptional()
  @IsUUID('all', UUID)
  agencyId?: string | null;

  @Field(() => [EscalationStatus], { nullable: true })
  status?: EscalationStatus[] | null;

  @Field(() => [DisagreementCategory], { nullable: true })
  category?: DisagreementCategory[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Only those whose current stage is overdue.',
  })
  overdue?: boolean | null;

  @Field(() => Date, { nullable: true })
  raisedFrom?: Date | null;

  @Field(() => Date, { nullable: true })
  raisedTo?: Date | null;
}
