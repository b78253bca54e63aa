import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { PanelsContext } from '../context.js';
import { PanelDecision } from '../entities/panel-decision.entity.js';
import { PanelMember } from '../entities/panel-member.entity.js';
import { PanelOutstandingIssue } from '../entities/panel-outstanding-issue.entity.js';
import { Representation } from '../entities/representation.entity.js';
import { AgencyRef, PractitionerRef, ref } from '../types/references.type.js';

/*
 * Field resolvers of the panel's parts. They share this file as the escalations subgraph's
 * parts do: each is a few lines, and one file per class would scatter them.
 */

@Resolver(() => PanelMember)
export class PanelMemberResolver {
  @FieldResolver(() => PractitionerRef)
  practitioner(@Root() member: PanelMember): PractitionerRef {
    return ref(member.practitionerId);
  }

  @FieldResolver(() => AgencyRef)
  agency(@Root() member: PanelMember): AgencyRef {
    return ref(member.agencyId);
  }
}

@Resolver(() => Representation)
export class RepresentationResolver {
  @FieldResolver(() => AgencyRef)
  agency(@Root() representation: Representation): AgencyRef {
    return ref(representation.agencyId);
  }

  @FieldResolver(() => PractitionerRef)
  submittedBy(@Root() representation: Representation): PractitionerRef {
    return ref(representation.submittedById);
  }
}

@Resolver(() => PanelDecision)
export class PanelDecisionResolver {
  @FieldResolver(() => [PanelOutstandingIssue])
  outstandingIssues(
    @Root() decision: PanelDecision,
    @Ctx() ctx: PanelsContext,
  ): Promise<PanelOutstandingIssue[]> {
    return ctx.loaders.issues.load(decision.panelId);
  }
}

@Resolver(() => PanelOutstandingIssue)
export class PanelOutstandingIssueResolver {
  @FieldResolver(() => AgencyRef)
  ownerAgency(@Root() issue: PanelOutstandingIssue): AgencyRef {
    return ref(issue.ownerAgencyId);
  }

  /** The escalation's copy of the issue carries its completion; asked for, batched per request. */
  @FieldResolver(() => Boolean)
  done(@Root() issue: PanelOutstandingIssue, @Ctx() ctx: PanelsContext): Promise<boolean> {
    return ctx.escalationFacts.issueDone.load(issue.id);
  }
}
