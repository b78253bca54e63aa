import { LocalDate } from '@hub/kit';
import { AgencyKind, DisagreementCategory } from '@hub/schema';
import { ArrayMaxSize, IsOptional, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class StatsFilter {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  boardId!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'First day of the first month counted (figures are kept by month).',
  })
  from?: string | null;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'Last day of the last month counted (figures are kept by month).',
  })
  to?: string | null;

  @Field(() => [DisagreementCategory], { nullable: true })
  categories?: DisagreementCategory[] | null;

  @Field(() => [AgencyKind], { nullable: true })
  raisingAgencyKinds?: AgencyKind[] | null;

  @Field(() => [AgencyKind], { nullable: true })
  respondingAgencyKinds?: AgencyKind[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(40, { message: 'must name at most 40 themes' })
  themeCodes?: string[] | null;
}
