import { NonBlank } from '@hub/kit';
import { Role } from '@hub/schema';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsEmail,
  IsOptional,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { IsExternalSubject } from '../external-subject.js';

@InputType()
export class CreatePractitionerInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be an id (UUID)' })
  agencyId!: string;

  @Field()
  @NonBlank(200)
  name!: string;

  @Field()
  @MaxLength(320)
  @IsEmail({}, { message: 'must be an email address' })
  email!: string;

  @Field(() => [Role])
  @ArrayNotEmpty({ message: 'must name at least one role' })
  @ArrayMaxSize(9)
  roles!: Role[];

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'must be an id (UUID)' })
  lineManagerId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The subject (`sub`) of this practitioner's tokens from the hub's OIDC issuer, if it uses one.",
  })
  @IsExternalSubject()
  externalSubject?: string | null;
}
