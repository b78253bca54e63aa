import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    "An identifier of the child in an agency system. Systems: nhs-number, upn, police-person-id, or a plugin's own.",
})
export class ExternalIdentifier {
  @Field()
  system!: string;

  @Field()
  value!: string;
}
