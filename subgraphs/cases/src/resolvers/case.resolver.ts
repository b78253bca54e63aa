import {
  BadUserInputError,
  escapeLike,
  NotFoundError,
  pageSize,
  parseTimeCursor,
  toPage,
  violatedUniqueKey,
} from '@hub/kit';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { assertCasework, isBoardManagerOf, seesCase, type CaseworkActor } from '../access.js';
import type { CasesContext } from '../context.js';
import { Agency } from '../entities/agency.entity.js';
import { Board } from '../entities/board.entity.js';
import { Case } from '../entities/case.entity.js';
import { ChildSubject } from '../entities/child-subject.entity.js';
import { SourceRecord } from '../entities/source-record.entity.js';
import { CreateCaseInput } from '../inputs/create-case.input.js';
import { CaseConnection } from '../types/case-connection.type.js';
import { checkChild, involveAgency, openCase } from '../case.service.js';
import { auditChildMatchRefusal, ChildMatchRefusedError } from '../child-matching.js';

/** Longest search term `cases(search:)` accepts. */
const MAX_SEARCH_LENGTH = 100;

/**
 * Loads a case the caller may see, or fails with NOT_FOUND: a case that exists but is not
 * visible answers exactly like one that does not exist, so existence never leaks across agencies.
 */
export async function loadVisibleCase(
  ctx: CasesContext,
  id: string,
  field?: string,
): Promise<Case> {
  assertCasework(ctx.actor);
  const found = await ctx.loaders.case.load(id);
  const involved = found ? await ctx.loaders.involvements.load(found.id) : [];
  // Members of a resolution panel about the case see it too (its child's details stay hidden).
  const seats = found ? await ctx.loaders.panelSeats.load(found.id) : [];
  if (
    !found ||
    !(
      seesCase(
        ctx.actor,
        found.boardId,
        involved.map((row) => row.agencyId),
      ) || seats.some((seat) => seat.practitionerId === ctx.actor.id)
    )
  ) {
    throw new NotFoundError('case', id, field);
  }
  await ctx.loaders.auditCaseRead.load(found.id);
  return found;
}

@Resolver(() => Case)
export class CaseResolver {
  @Query(() => Case, { nullable: true })
  case(@Arg('id', () => ID) id: string, @Ctx() ctx: CasesContext): Promise<Case> {
    return loadVisibleCase(ctx, id);
  }

  @Query(() => CaseConnection, {
    description:
      "Cases the caller may see, newest first; search matches the case reference or, for entitled callers, the child's name.",
  })
  async cases(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CasesContext,
  ): Promise<CaseConnection> {
    const actor = ctx.actor;
    assertCasework(actor);
    if (actor.boardId !== boardId) throw new NotFoundError('board', boardId, 'boardId');
    const size = pageSize(first);
    if (search != null && search.length > MAX_SEARCH_LENGTH) {
      throw new BadUserInputError('search', `must be at most ${MAX_SEARCH_LENGTH} characters`);
    }
    const cursor = after ? parseTimeCursor(after) : null;

    const query = () => visibleCasesQuery(ctx.em, actor, boardId, search?.trim() || null);
    const totalCount = await query().getCount();
    const pageQuery = query();
    if (cursor) {
      pageQuery.andWhere({
        $or: [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, id: { $lt: cursor.id } }],
      });
    }
    const rows = await pageQuery
      .orderBy({ createdAt: 'desc', id: 'desc' })
      .limit(size + 1)
      .getResultList();
    const page = toPage(rows, size, (row) => row.createdAt);
    // The read is audited (one entry for the page) before any of it is returned.
    await Promise.all(page.edges.map(({ node }) => ctx.loaders.auditCaseRead.load(node.id)));
    return { ...page, totalCount };
  }

  @Mutation(() => Case)
  async createCase(@Arg('input') input: CreateCaseInput, @Ctx() ctx: CasesContext): Promise<Case> {
    const actor = ctx.actor;
    assertCasework(actor);
    if (actor.boardId !== input.boardId)
      throw new NotFoundError('board', input.boardId, 'input.boardId');
    checkChild(input.child);
    const agencyIds = [
      ...new Set([actor.agencyId, input.leadAgencyId, ...input.involvedAgencyIds]),
    ].filter((id): id is string => Boolean(id));
    const agencies = await ctx.loaders.agency.loadMany(agencyIds);
    agencies.forEach((agency, i) => {
      if (!(agency instanceof Agency) || agency.boardId !== input.boardId) {
        const field =
          agencyIds[i] === input.leadAgencyId ? 'input.leadAgencyId' : 'input.involvedAgencyIds';
        throw new NotFoundError('agency on this board', agencyIds[i], field);
      }
    });

    const open = async () =>
      (
        await openCase(
          ctx.em,
          {
            boardId: input.boardId,
            child: input.child,
            planType: input.planType,
            leadAgencyId: input.leadAgencyId ?? null,
            agencyIds,
            createdBy: actor.id,
          },
          ctx.audit,
        )
      ).case;
    let created: Case;
    try {
      created = await open().catch((error: unknown) => {
        // Another request recorded one of these identifiers after this one looked, and the
        // board-scoped unique key refused the second: look again, once, in a fresh transaction,
        // which finds that child and links to it or refuses as for any known child.
        if (!violatedUniqueKey(error)?.includes('child_identifier')) throw error;
        return open();
      });
    } catch (error) {
      if (error instanceof ChildMatchRefusedError) await auditChildMatchRefusal(ctx, error);
      throw error;
    }
    ctx.changed();
    return created;
  }

  @Mutation(() => Case)
  async addAgencyToCase(
    @Arg('caseId', () => ID) caseId: string,
    @Arg('agencyId', () => ID) agencyId: string,
    @Ctx() ctx: CasesContext,
  ): Promise<Case> {
    const found = await loadVisibleCase(ctx, caseId, 'caseId');
    const agency = await ctx.loaders.agency.load(agencyId);
    if (!agency || agency.boardId !== found.boardId) {
      throw new NotFoundError('agency on this board', agencyId, 'agencyId');
    }
    const involved = await ctx.loaders.involvements.load(found.id);
    if (involved.some((row) => row.agencyId === agencyId)) return found;
    await involveAgency(ctx.em, found, agencyId, ctx.actor.id, ctx.audit);
    ctx.loaders.involvements.clear(found.id);
    ctx.changed();
    return found;
  }

  @FieldResolver(() => Board)
  async board(@Root() record: Case, @Ctx() { loaders }: CasesContext): Promise<Board> {
    return required(await loaders.board.load(record.boardId), 'board', record);
  }

  @FieldResolver(() => ChildSubject)
  async child(@Root() record: Case, @Ctx() { loaders }: CasesContext): Promise<ChildSubject> {
    return required(await loaders.child.load(record.childId), 'child', record);
  }

  @FieldResolver(() => Agency, { nullable: true })
  leadAgency(@Root() record: Case, @Ctx() { loaders }: CasesContext): Promise<Agency | null> {
    return record.leadAgencyId ? loaders.agency.load(record.leadAgencyId) : Promise.resolve(null);
  }

  @FieldResolver(() => [Agency])
  async involvedAgencies(
    @Root() record: Case,
    @Ctx() { loaders }: CasesContext,
  ): Promise<Agency[]> {
    const involvements = await loaders.involvements.load(record.id);
    const agencies = await loaders.agency.loadMany(involvements.map((row) => row.agencyId));
    return agencies.map((agency) =>
      required(agency instanceof Agency ? agency : null, 'agency', record),
    );
  }

  @FieldResolver(() => [SourceRecord])
  sourceRecords(@Root() record: Case, @Ctx() { loaders }: CasesContext): Promise<SourceRecord[]> {
    return loaders.sourceRecords.load(record.id);
  }
}

function required<T>(value: T | null, what: string, record: Case): T {
  if (value === null) throw new Error(`case ${record.id} names a missing ${what}`);
  return value;
}

/**
 * The cases of a board the actor may see, optionally matching a search term. The child's name is
 * searched only among children the caller is entitled to see (their agency is involved in one of
 * the child's cases), so a search can never reveal a name the caller could not read.
 */
function visibleCasesQuery(
  em: SqlEntityManager,
  actor: CaseworkActor,
  boardId: string,
  search: string | null,
) {
  const qb = em.createQueryBuilder(Case, 'c').where({ boardId });
  if (!isBoardManagerOf(actor, boardId)) {
    qb.andWhere(
      'exists (select 1 from case_agency ia where ia.case_id = c.id and ia.agency_id = ?)',
      [actor.agencyId],
    );
  }
  if (search) {
    const pattern = `%${escapeLike(search.toLowerCase())}%`;
    qb.andWhere(
      `(lower(c.reference) like ? escape '\\' or c.child_id in (
         select cs.id from child_subject cs
         where cs.board_id = ? and lower(cs.name) like ? escape '\\'
           and exists (select 1 from case_file oc join case_agency oa on oa.case_id = oc.id
                       where oc.child_id = cs.id and oa.agency_id = ?)))`,
      [pattern, boardId, pattern, actor.agencyId],
    );
  }
  return qb;
}
