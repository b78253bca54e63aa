import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { CasesContext } from '../context.js';
import { Agency } from '../entities/agency.entity.js';
import { SourceRecord } from '../entities/source-record.entity.js';

@Resolver(() => SourceRecord)
export class SourceRecordResolver {
  @FieldResolver(() => Agency)
  async agency(@Root() record: SourceRecord, @Ctx() { loaders }: CasesContext): Promise<Agency> {
    const agency = await loaders.agency.load(record.agencyId);
    if (!agency) throw new Error(`source record ${record.id} names a missing agency`);
    return agency;
  }
}
