import { Role } from '@hub/schema';
import type { StoredStage } from '../entities/escalation-policy.entity.js';

/** The policy a new board starts with (ARCHITECTURE.md, "The escalation procedure"). */
export const DEFAULT_STAGES: StoredStage[] = [
  {
    name: 'Practitioner to practitioner',
    participants: 'The practitioners who disagree',
    actingRoles: [Role.PRACTITIONER],
    timescaleWorkingDays: 3,
    resolutionPanel: false,
  },
  {
    name: 'Line managers',
    participants: 'Line managers of both practitioners',
    actingRoles: [Role.LINE_MANAGER, Role.SAFEGUARDING_LEAD],
    timescaleWorkingDays: 5,
    resolutionPanel: false,
  },
  {
    name: 'Senior managers and safeguarding leads',
    participants: 'Senior managers / designated safeguarding leads of both agencies',
    actingRoles: [Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD],
    timescaleWorkingDays: 5,
    resolutionPanel: false,
  },
  {
    name: 'Resolution panel',
    participants: 'Board representatives from three agencies',
    actingRoles: [Role.BOARD_MANAGER, Role.PANEL_MEMBER],
    timescaleWorkingDays: 10,
    resolutionPanel: true,
  },
];

export const DEFAULT_PANEL_AGENCY_COUNT = 3;
