import { NonBlank } from '@hub/kit';
import { Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class ExternalIdentifierInput {
  @Field()
  @Matches(/^[a-z0-9][a-z0-9-]{0,49}$/, {
    message: 'must be a lower-case system name such as nhs-number, upn or police-person-id',
  })
  system!: string;

  @Field()
  @NonBlank(100)
  value!: string;
}
