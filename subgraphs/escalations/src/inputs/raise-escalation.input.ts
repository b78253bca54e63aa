import { NonBlank } from '@hub/kit';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { DisagreementCategory, EscalationGround } from '../enums.js';

const UUID = { message: 'must be an id (UUID)' };

@InputType()
export class RaiseEscalationInput {
  @Field(() => ID)
  @IsUUID('all', UUID)
  caseId!: string;

  @Field(() => ID)
  @IsUUID('all', UUID)
  respondingAgencyId!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', UUID)
  respondentId?: string | null;

  @Field(() => DisagreementCategory)
  category!: DisagreementCategory;

  @Field(() => EscalationGround)
  ground!: EscalationGround;

  @Field()
  @NonBlank(2000)
  summary!: string;

  @Field()
  @NonBlank(2000)
  desiredOutcome!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  immediateRisk?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Only with immediateRisk: the stage to start at (default 1).',
  })
  @IsOptional()
  @IsInt()
  @Min(1, { message: "must be a stage number of the board's policy (from 1)" })
  @Max(20, { message: "must be a stage number of the board's policy" })
  startAtStage?: number | null;

  @Field(() => String, { nullable: true, description: 'Required when startAtStage > 1.' })
  @IsOptional()
  @NonBlank(2000)
  riskJustification?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "Required when startAtStage > 1: the line manager or safeguarding lead of the raiser's agency who was consulted.",
  })
  @IsOptional()
  @IsUUID('all', UUID)
  consultedId?: string | null;
}
