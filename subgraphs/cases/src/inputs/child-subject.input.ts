import { LocalDate, NonBlank } from '@hub/kit';
import { ArrayMaxSize, IsOptional, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ExternalIdentifierInput } from './external-identifier.input.js';

@InputType()
export class ChildSubjectInput {
  @Field()
  @NonBlank(200)
  name!: string;

  @Field(() => LocalDate, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => [ExternalIdentifierInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  identifiers?: ExternalIdentifierInput[] | null;
}
