import { BadUserInputError, HubError, isUuid, NotFoundError, recordEvent } from '@hub/kit';
import type { EntityManager } from '@mikro-orm/core';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { assertAdmin, assertSeesBoard, isAdmin } from '../access.js';
import type { CasesContext } from '../context.js';
import { Agency } from '../entities/agency.entity.js';
import { Practitioner } from '../entities/practitioner.entity.js';
import { externalSubjectProblem } from '../external-subject.js';
import { CreatePractitionerInput } from '../inputs/create-practitioner.input.js';

/**
 * Refuses an external subject a practitioner already signs in with. The unique key backs this up
 * when two requests race past it.
 */
async function assertExternalSubjectFree(
  em: EntityManager,
  externalSubject: string,
  field: string,
): Promise<void> {
  if (await em.count(Practitioner, { externalSubject })) {
    throw new HubError(
      'CONFLICT',
      `${field}: another practitioner already signs in with this external subject.`,
      { field },
    );
  }
}

@Resolver(() => Practitioner)
export class PractitionerResolver {
  @Query(() => Practitioner, { description: 'The authenticated practitioner.' })
  async me(@Ctx() ctx: CasesContext): Promise<Practitioner> {
    if (ctx.actor.kind !== 'practitioner') {
      throw new HubError(
        'NOT_FOUND',
        'You are signed in as the bootstrap administrator, who is not a practitioner in the directory.',
      );
    }
    const me = await ctx.loaders.practitioner.load(ctx.actor.id);
    if (!me) throw new NotFoundError('practitioner', ctx.actor.id);
    return me;
  }

  @Query(() => Practitioner, { nullable: true })
  async practitioner(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: CasesContext,
  ): Promise<Practitioner | null> {
    const practitioner = await ctx.loaders.practitioner.load(id);
    if (!practitioner) throw new NotFoundError('practitioner', id);
    assertSeesBoard(ctx.actor, practitioner.boardId, 'practitioner', id);
    return practitioner;
  }

  @Query(() => [Practitioner])
  async practitioners(
    @Arg('agencyId', () => ID) agencyId: string,
    @Ctx() ctx: CasesContext,
  ): Promise<Practitioner[]> {
    const agency = await ctx.loaders.agency.load(agencyId);
    if (!agency) throw new NotFoundError('agency', agencyId, 'agencyId');
    assertSeesBoard(ctx.actor, agency.boardId, 'agency', agencyId);
    return ctx.em.find(Practitioner, { agencyId }, { orderBy: { name: 'asc', id: 'asc' } });
  }

  @Mutation(() => Practitioner)
  async createPractitioner(
    @Arg('input') input: CreatePractitionerInput,
    @Ctx() ctx: CasesContext,
  ): Promise<Practitioner> {
    assertAdmin(ctx.actor);
    const agency = await ctx.loaders.agency.load(input.agencyId);
    if (!agency) throw new NotFoundError('agency', input.agencyId, 'input.agencyId');
    assertSeesBoard(ctx.actor, agency.boardId, 'agency', input.agencyId);
    if (input.lineManagerId) {
      const manager = await ctx.loaders.practitioner.load(input.lineManagerId);
      if (!manager)
        throw new NotFoundError('practitioner', input.lineManagerId, 'input.lineManagerId');
      if (manager.agencyId !== agency.id) {
        throw new BadUserInputError(
          'input.lineManagerId',
          'the line manager must work in the same agency',
        );
      }
    }
    const email = input.email.trim().toLowerCase();
    const practitioner = await ctx.em.transactional(async (em) => {
      if (await em.count(Practitioner, { email })) {
        throw new BadUserInputError('input.email', 'is already used by another practitioner');
      }
      if (input.externalSubject) {
        await assertExternalSubjectFree(em, input.externalSubject, 'input.externalSubject');
      }
      const practitioner = em.create(Practitioner, {
        agencyId: agency.id,
        boardId: agency.boardId,
        name: input.name.trim(),
        email,
        roles: [...new Set(input.roles)],
        lineManagerId: input.lineManagerId ?? null,
        externalSubject: input.externalSubject ?? null,
      });
      await recordEvent(em, 'PractitionerCreated', practitioner.id, {
        practitionerId: practitioner.id,
        agencyId: agency.id,
        boardId: agency.boardId,
        roles: practitioner.roles,
        lineManagerId: practitioner.lineManagerId,
      });
      await ctx.audit(
        { action: 'practitioner.create', entityType: 'Practitioner', entityIds: [practitioner.id] },
        em,
      );
      return practitioner;
    });
    ctx.changed();
    return practitioner;
  }

  @Mutation(() => Practitioner, {
    description: "Deactivation takes effect at once: the practitioner's tokens stop working.",
  })
  async setPractitionerActive(
    @Arg('id', () => ID) id: string,
    @Arg('active') active: boolean,
    @Ctx() ctx: CasesContext,
  ): Promise<Practitioner> {
    assertAdmin(ctx.actor);
    const practitioner = await ctx.em.transactional(async (em) => {
      const practitioner = isUuid(id) ? await em.findOne(Practitioner, { id }) : null;
      if (!practitioner) throw new NotFoundError('practitioner', id, 'id');
      if (practitioner.active === active) return practitioner;
      practitioner.active = active;
      await recordEvent(
        em,
        active ? 'PractitionerActivated' : 'PractitionerDeactivated',
        practitioner.id,
        {
          practitionerId: practitioner.id,
          agencyId: practitioner.agencyId,
          boardId: practitioner.boardId,
        },
      );
      await ctx.audit(
        {
          action: active ? 'practitioner.activate' : 'practitioner.deactivate',
          entityType: 'Practitioner',
          entityIds: [practitioner.id],
        },
        em,
      );
      return practitioner;
    });
    ctx.changed();
    return practitioner;
  }

  @Mutation(() => Practitioner, {
    description:
      "Sets (or, with null, clears) the subject of the practitioner's tokens from the hub's OIDC issuer. Takes effect on the next request.",
  })
  async setPractitionerExternalSubject(
    @Arg('id', () => ID) id: string,
    @Arg('externalSubject', () => String, { nullable: true }) externalSubject: string | null,
    @Ctx() ctx: CasesContext,
  ): Promise<Practitioner> {
    assertAdmin(ctx.actor);
    // A scalar argument, so class-validator (input objects only) does not see it.
    const problem = externalSubject === null ? null : externalSubjectProblem(externalSubject);
    if (problem) throw new BadUserInputError('externalSubject', problem);
    const practitioner = await ctx.em.transactional(async (em) => {
      const practitioner = isUuid(id) ? await em.findOne(Practitioner, { id }) : null;
      if (!practitioner) throw new NotFoundError('practitioner', id, 'id');
      // Unchanged is no change (nothing to audit), and no conflict with itself.
      if (practitioner.externalSubject === externalSubject) return practitioner;
      if (externalSubject !== null) {
        await assertExternalSubjectFree(em, externalSubject, 'externalSubject');
      }
      practitioner.externalSubject = externalSubject;
      await ctx.audit(
        {
          action:
            externalSubject === null
              ? 'practitioner.clear-external-subject'
              : 'practitioner.set-external-subject',
          entityType: 'Practitioner',
          entityIds: [practitioner.id],
        },
        em,
      );
      return practitioner;
    });
    ctx.changed();
    return practitioner;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The subject of the practitioner's tokens from the hub's OIDC issuer. Null unless the caller is an administrator (ADMIN).",
  })
  externalSubject(@Root() practitioner: Practitioner, @Ctx() ctx: CasesContext): string | null {
    return isAdmin(ctx.actor) ? practitioner.externalSubject : null;
  }

  @FieldResolver(() => Agency)
  async agency(
    @Root() practitioner: Practitioner,
    @Ctx() { loaders }: CasesContext,
  ): Promise<Agency> {
    const agency = await loaders.agency.load(practitioner.agencyId);
    if (!agency) throw new Error(`practitioner ${practitioner.id} names a missing agency`);
    return agency;
  }

  @FieldResolver(() => Practitioner, { nullable: true })
  lineManager(
    @Root() practitioner: Practitioner,
    @Ctx() { loaders }: CasesContext,
  ): Promise<Practitioner | null> {
    return practitioner.lineManagerId
      ? loaders.practitioner.load(practitioner.lineManagerId)
      : Promise.resolve(null);
  }
}
