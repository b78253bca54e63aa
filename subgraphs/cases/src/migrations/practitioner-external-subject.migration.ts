import { HubMigration } from '@hub/kit';

/**
 * The subject an external OIDC issuer puts in a practitioner's tokens. Until now the gateway took
 * the token's `sub` as the practitioner's id, so existing practitioners get their id as external
 * subject: tokens that signed them in before this migration still do. Practitioners created from
 * now on have none until an administrator sets it.
 */
export class PractitionerExternalSubjectMigration extends HubMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schemaBuilder.alterTable('practitioner', (t) => {
        t.string('external_subject', 255).nullable().unique();
      }),
    );
    const knex = this.getKnex();
    const practitioners = this.schemaName
      ? knex.withSchema(this.schemaName).table('practitioner')
      : knex.table('practitioner');
    this.addSql(practitioners.update({ external_subject: knex.ref('id') }));
  }
}
