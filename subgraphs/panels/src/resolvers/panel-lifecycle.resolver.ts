import {
  assertCasework,
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  HubError,
  isBoardManagerOf,
  NotFoundError,
  recordEvent,
  type CaseworkActor,
} from '@hub/kit';
import { AgencyKind, Role } from '@hub/schema';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { loadVisiblePanel } from '../access.js';
import { afterChange, type PanelsContext } from '../context.js';
import { PanelDecision } from '../entities/panel-decision.entity.js';
import { PanelMember } from '../entities/panel-member.entity.js';
import { PanelOutstandingIssue } from '../entities/panel-outstanding-issue.entity.js';
import { Representation } from '../entities/representation.entity.js';
import { ResolutionPanel } from '../entities/resolution-panel.entity.js';
import { PanelStatus } from '../enums.js';
import type { PractitionerFact } from '../facts/cases-facts.js';
import type { EscalationFact } from '../facts/escalations-facts.js';
import { ConvenePanelInput } from '../inputs/convene-panel.input.js';
import { RecordPanelDecisionInput } from '../inputs/record-panel-decision.input.js';
import { SubmitRepresentationInput } from '../inputs/submit-representation.input.js';

/** A hearing time may run this far behind the hub's clock (clock skew), no further. */
const CLOCK_SKEW_MS = 60_000;

/** A composition rule the panel breaks: POLICY_VIOLATION, naming the input field and the member. */
function compositionBreach(field: string, message: string): HubError {
  return new HubError('POLICY_VIOLATION', `${field}: ${message}`, { field });
}

const who = (person: PractitionerFact) => `${person.name} (${person.id})`;

/** Convening a resolution panel, representations to it, and its decision. */
@Resolver(() => ResolutionPanel)
export class PanelLifecycleResolver {
  @Mutation(() => ResolutionPanel)
  async conveneResolutionPanel(
    @Arg('input') input: ConvenePanelInput,
    @Ctx() ctx: PanelsContext,
  ): Promise<ResolutionPanel> {
    const actor = ctx.actor;
    assertCasework(actor);
    if (!isBoardManagerOf(actor, actor.boardId)) {
      throw new ForbiddenError(
        "Only a BOARD_MANAGER of the escalation's board convenes a resolution panel.",
      );
    }
    const escalation = await ctx.escalationFacts.escalation.load(input.escalationId);
    if (!escalation || escalation.boardId !== actor.boardId)
      throw new NotFoundError('escalation', input.escalationId, 'input.escalationId');
    if (escalation.status !== 'OPEN') {
      throw new ConflictError(
        `The escalation is ${escalation.status}: a panel is convened only for an open escalation at its policy's resolution panel stage.`,
      );
    }
    if (!escalation.panelStage) {
      throw new ConflictError(
        `The escalation is at stage ${escalation.stageNumber}, which is not its policy's resolution panel stage: a panel is convened only at that stage.`,
      );
    }
    if (await ctx.loaders.panelByEscalation.load(escalation.id)) {
      throw new ConflictError(
        'The escalation already has a resolution panel: one panel hears an escalation.',
      );
    }
    const now = ctx.now();
    checkMemberList(input);
    checkHearing(input.hearingAt ?? null, escalation, now);
    const { members, notes } = await checkComposition(ctx, escalation, input);

    const panel = await ctx.em.transactional(async (tx) => {
      const panel = tx.create(ResolutionPanel, {
        escalationId: escalation.id,
        boardId: escalation.boardId,
        caseId: escalation.caseId,
        stageNumber: escalation.stageNumber!,
        raisingAgencyId: escalation.raisingAgencyId,
        raisingAgencyKind: escalation.raisingAgencyKind,
        respondingAgencyId: escalation.respondingAgencyId,
        respondingAgencyKind: escalation.respondingAgencyKind,
        status: PanelStatus.CONVENED,
        convenedById: actor.id,
        convenedAt: now,
        hearingAt: input.hearingAt ?? null,
        compositionNotes: notes,
      });
      // Members refer to the panel by id, not by a relation the unit of work would order by.
      await tx.flush();
      for (const member of members) {
        tx.create(PanelMember, {
          panelId: panel.id,
          practitionerId: member.person.id,
          agencyId: member.person.agencyId,
          chair: member.person.id === input.chairId,
        });
      }
      await recordEvent(tx, 'PanelConvened', panel.id, {
        ...panelFacts(panel, escalation.category),
        // When the escalation was raised, for the learning subgraph's statistics by month.
        raisedAt: escalation.raisedAt,
        hearingAt: panel.hearingAt?.toISOString() ?? null,
        // Ids, for the escalations and cases subgraphs to let members see what the panel hears.
        caseId: panel.caseId,
        memberIds: members.map((member) => member.person.id),
        memberAgencyKinds: members.map((member) => member.kind),
        agencyCount: new Set(members.map((member) => member.person.agencyId)).size,
        compositionNoteCount: notes.length,
      });
      await ctx.audit(
        {
          action: 'panel.convene',
          entityType: 'ResolutionPanel',
          entityIds: [panel.id, escalation.id],
        },
        tx,
      );
      return panel;
    });
    afterChange(ctx);
    return panel;
  }

  @Mutation(() => Representation)
  async submitRepresentation(
    @Arg('input') input: SubmitRepresentationInput,
    @Ctx() ctx: PanelsContext,
  ): Promise<Representation> {
    const panel = await loadVisiblePanel(ctx, input.panelId, 'input.panelId');
    const actor = ctx.actor as CaseworkActor;
    if (actor.agencyId !== panel.raisingAgencyId && actor.agencyId !== panel.respondingAgencyId) {
      throw new ForbiddenError(
        'Only practitioners of the raising and the responding agency make representations to the panel.',
      );
    }
    if (panel.status !== PanelStatus.CONVENED) {
      throw new ConflictError(
        'The panel has decided: it takes no more representations, and those made stay as they were.',
      );
    }
    const representation = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      const representation = tx.create(Representation, {
        panelId: panel.id,
        agencyId: actor.agencyId,
        submittedById: actor.id,
        statement: input.statement.trim(),
        submittedAt: now,
      });
      await recordEvent(tx, 'RepresentationSubmitted', panel.id, {
        panelId: panel.id,
        escalationId: panel.escalationId,
        boardId: panel.boardId,
        agencyKind: actor.agencyKind,
        submittedAt: now.toISOString(),
      });
      await ctx.audit(
        {
          action: 'panel.represent',
          entityType: 'ResolutionPanel',
          entityIds: [panel.id, representation.id],
        },
        tx,
      );
      return representation;
    });
    afterChange(ctx);
    return representation;
  }

  @Mutation(() => ResolutionPanel)
  async recordPanelDecision(
    @Arg('input') input: RecordPanelDecisionInput,
    @Ctx() ctx: PanelsContext,
  ): Promise<ResolutionPanel> {
    const panel = await loadVisiblePanel(ctx, input.panelId, 'input.panelId');
    const actor = ctx.actor as CaseworkActor;
    const members = await ctx.loaders.members.load(panel.id);
    const chairs = members.some((member) => member.chair && member.practitionerId === actor.id);
    if (!chairs && !isBoardManagerOf(actor, panel.boardId)) {
      throw new ForbiddenError(
        "Only the panel's chair or a BOARD_MANAGER of its board records the panel's decision.",
      );
    }
    if (panel.status !== PanelStatus.CONVENED) {
      throw new ConflictError(
        'The panel has already decided: a decision is recorded once and never changed.',
      );
    }
    const escalation = await ctx.escalationFacts.escalation.load(panel.escalationId);
    if (
      !escalation ||
      escalation.status !== 'OPEN' ||
      escalation.stageNumber !== panel.stageNumber
    ) {
      throw new ConflictError(
        `The escalation is ${escalation?.status ?? 'gone'}: the panel's decision can no longer resolve it.`,
      );
    }
    const issues = input.outstandingIssues ?? [];
    const owners = await ctx.facts.agency.loadMany(issues.map((issue) => issue.ownerAgencyId));
    owners.forEach((owner, i) => {
      if (!owner || owner instanceof Error || owner.boardId !== panel.boardId) {
        throw new NotFoundError(
          'agency on this board',
          issues[i].ownerAgencyId,
          `input.outstandingIssues.${i}.ownerAgencyId`,
        );
      }
    });
    const decided = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      // Compare-and-set: of two decisions recorded at once, the second changes no row.
      const claimed = await tx.nativeUpdate(
        ResolutionPanel,
        { id: panel.id, status: PanelStatus.CONVENED },
        { status: PanelStatus.DECIDED },
      );
      if (claimed !== 1) {
        throw new ConflictError(
          'The panel has already decided: a decision is recorded once and never changed.',
        );
      }
      tx.create(PanelDecision, {
        panelId: panel.id,
        summary: input.summary.trim(),
        nextCourseOfAction: input.nextCourseOfAction.trim(),
        decidedAt: now,
        decidedById: actor.id,
      });
      issues.forEach((issue, position) => {
        tx.create(PanelOutstandingIssue, {
          panelId: panel.id,
          description: issue.description.trim(),
          ownerAgencyId: issue.ownerAgencyId,
          dueDate: issue.dueDate ?? null,
          position,
        });
      });
      const memberKinds = await agencyKinds(ctx, members);
      await recordEvent(tx, 'PanelDecided', panel.id, {
        ...panelFacts(panel, escalation.category),
        decidedAt: now.toISOString(),
        memberAgencyKinds: memberKinds,
        outstandingIssueCount: issues.length,
      });
      await ctx.audit(
        {
          action: 'panel.decide',
          entityType: 'ResolutionPanel',
          entityIds: [panel.id, panel.escalationId],
        },
        tx,
      );
      return tx.findOneOrFail(ResolutionPanel, { id: panel.id }, { refresh: true });
    });
    afterChange(ctx);
    return decided;
  }
}

/** What every panel event carries: ids, codes, agency kinds and times; nothing free or personal. */
function panelFacts(panel: ResolutionPanel, category: string): Record<string, unknown> {
  return {
    panelId: panel.id,
    escalationId: panel.escalationId,
    boardId: panel.boardId,
    stageNumber: panel.stageNumber,
    category,
    raisingAgencyKind: panel.raisingAgencyKind,
    respondingAgencyKind: panel.respondingAgencyKind,
    convenedAt: panel.convenedAt.toISOString(),
  };
}

async function agencyKinds(ctx: PanelsContext, members: PanelMember[]): Promise<AgencyKind[]> {
  const agencies = await ctx.facts.agency.loadMany(members.map((member) => member.agencyId));
  return agencies.map((agency) =>
    agency && !(agency instanceof Error) ? agency.kind : AgencyKind.OTHER,
  );
}

/** Nobody twice, and the chair among the members. */
function checkMemberList(input: ConvenePanelInput): void {
  input.memberIds.forEach((id, i) => {
    if (input.memberIds.indexOf(id) !== i) {
      throw new BadUserInputError(
        `input.memberIds.${i}`,
        `practitioner ${id} is listed twice: each member sits once`,
      );
    }
  });
  if (!input.memberIds.includes(input.chairId)) {
    throw new BadUserInputError(
      'input.chairId',
      'must be one of input.memberIds: the chair is a member of the panel',
    );
  }
}

/** A hearing is in the future and no later than the panel stage is due. */
function checkHearing(hearingAt: Date | null, escalation: EscalationFact, now: Date): void {
  if (!hearingAt) return;
  if (hearingAt.getTime() < now.getTime() - CLOCK_SKEW_MS)
    throw new BadUserInputError('input.hearingAt', 'must not be in the past');
  if (escalation.stageDueAt && hearingAt.getTime() > Date.parse(escalation.stageDueAt)) {
    throw new BadUserInputError(
      'input.hearingAt',
      `must not be after the resolution panel stage is due (${escalation.stageDueAt})`,
    );
  }
}

interface Seat {
  person: PractitionerFact;
  kind: AgencyKind;
}

/**
 * The composition rules (ARCHITECTURE, "Resolution panels"): every member an active PANEL_MEMBER
 * of an agency of the board who took no part in the escalation; at least the policy's number of
 * distinct agencies; the raising and the responding agency each represented whenever it has an
 * eligible member, and a note saying so when it has none.
 */
async function checkComposition(
  ctx: PanelsContext,
  escalation: EscalationFact,
  input: ConvenePanelInput,
): Promise<{ members: Seat[]; notes: string[] }> {
  const people = await ctx.facts.practitioner.loadMany(input.memberIds);
  const found = people.map((person, i) => {
    if (!person || person instanceof Error || person.boardId !== escalation.boardId) {
      throw new NotFoundError(
        'practitioner on this board',
        input.memberIds[i],
        `input.memberIds.${i}`,
      );
    }
    return person;
  });
  const agencies = await ctx.facts.agency.loadMany(found.map((person) => person.agencyId));
  const took = new Set(escalation.participantIds);
  const members = found.map((person, i): Seat => {
    const field = `input.memberIds.${i}`;
    const agency = agencies[i];
    if (!agency || agency instanceof Error || agency.boardId !== escalation.boardId) {
      throw compositionBreach(
        field,
        `${who(person)} does not belong to an agency of the escalation's board: panel members do.`,
      );
    }
    if (!person.active) {
      throw compositionBreach(
        field,
        `${who(person)} is not active: only active practitioners sit on a panel.`,
      );
    }
    if (!person.roles.includes(Role.PANEL_MEMBER)) {
      throw compositionBreach(
        field,
        `${who(person)} does not hold PANEL_MEMBER: only practitioners who may sit on resolution panels are members.`,
      );
    }
    if (took.has(person.id)) {
      throw compositionBreach(
        field,
        `${who(person)} raised, responded to, was consulted on or wrote in this escalation: nobody who took part in it sits on its panel.`,
      );
    }
    return { person, kind: agency.kind };
  });

  const required = escalation.panelAgencyCount ?? 1;
  const distinct = new Set(members.map((member) => member.person.agencyId)).size;
  if (distinct < required) {
    throw compositionBreach(
      'input.memberIds',
      `the members come from ${distinct} agenc${distinct === 1 ? 'y' : 'ies'}; the board's policy requires at least ${required} distinct agencies.`,
    );
  }

  const notes: string[] = [];
  const concerned: [string, string, AgencyKind][] = [
    ['raising', escalation.raisingAgencyId, escalation.raisingAgencyKind],
    ['responding', escalation.respondingAgencyId, escalation.respondingAgencyKind],
  ];
  for (const [role, agencyId, kind] of concerned) {
    if (role === 'responding' && agencyId === escalation.raisingAgencyId) continue;
    if (members.some((member) => member.person.agencyId === agencyId)) continue;
    const staff = await ctx.facts.agencyPractitioners.load(agencyId);
    const eligible = staff.filter(
      (person) => person.active && person.roles.includes(Role.PANEL_MEMBER) && !took.has(person.id),
    );
    if (eligible.length > 0) {
      throw compositionBreach(
        'input.memberIds',
        `the ${role} agency (${kind}) has an eligible member, ${eligible.map(who).join(', ')}, and none sits on the panel: the agencies concerned are represented whenever they can be.`,
      );
    }
    notes.push(
      `The ${role} agency (${kind}) has no eligible member: none of its practitioners is an active PANEL_MEMBER who took no part in the escalation.`,
    );
  }
  return { members, notes };
}
