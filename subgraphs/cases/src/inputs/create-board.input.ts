import { NonBlank } from '@hub/kit';
import { BOARD_REGIONS } from '@hub/schema';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class CreateBoardInput {
  @Field()
  @NonBlank(200)
  name!: string;

  @Field()
  @IsIn(BOARD_REGIONS, { message: `must be one of ${BOARD_REGIONS.join(', ')}` })
  region!: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  disclosureThreshold?: number | null;
}
