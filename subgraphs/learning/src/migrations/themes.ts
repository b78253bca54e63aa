/**
 * The learning themes the hub ships with, drawn from the national learning from child
 * safeguarding practice reviews (the Child Safeguarding Practice Review Panel's annual reports
 * and thematic reviews, and the triennial analyses of serious case reviews) and from what boards'
 * escalation monitoring reports most often. Each theme's `bit` is its place in the statistics
 * read model's theme mask: fixed for ever, never reused.
 */
export const SHIPPED_THEMES: readonly {
  code: string;
  title: string;
  description: string;
  bit: number;
}[] = [
  {
    code: 'INFORMATION_SHARING',
    title: 'Information sharing',
    description:
      'Information that one agency held was not shared, or not shared in time, with an agency that needed it to keep the child safe.',
    bit: 0,
  },
  {
    code: 'PROFESSIONAL_CURIOSITY',
    title: 'Professional curiosity',
    description:
      'Accounts were accepted at face value; practitioners did not explore, question or check what they were told or saw.',
    bit: 1,
  },
  {
    code: 'RISK_ASSESSMENT',
    title: 'Risk assessment',
    description:
      'Risk was not assessed, was under- or over-estimated, or an assessment was not revisited when circumstances changed.',
    bit: 2,
  },
  {
    code: 'THRESHOLDS',
    title: 'Thresholds',
    description:
      'Agencies applied the threshold document differently, so a referral was declined, stepped down or escalated against another agency’s judgement.',
    bit: 3,
  },
  {
    code: 'ROLES_AND_RESPONSIBILITIES',
    title: 'Roles and responsibilities',
    description:
      'It was unclear which agency or practitioner was responsible for an action, or who was leading.',
    bit: 4,
  },
  {
    code: 'COMMUNICATION',
    title: 'Communication',
    description:
      'Messages between agencies were missed, unclear or not followed up; decisions were not communicated to those affected.',
    bit: 5,
  },
  {
    code: 'CHALLENGE_CULTURE',
    title: 'Challenge culture',
    description:
      'Practitioners did not feel able to challenge another agency’s decision, or a challenge was not taken seriously.',
    bit: 6,
  },
  {
    code: 'VOICE_OF_THE_CHILD',
    title: 'Voice of the child',
    description:
      'The child was not seen or heard, or their wishes, feelings and lived experience did not shape decisions.',
    bit: 7,
  },
  {
    code: 'DISGUISED_COMPLIANCE',
    title: 'Disguised compliance',
    description:
      'Parents or carers appeared to cooperate with agencies to deflect attention, and the appearance was taken for change.',
    bit: 8,
  },
  {
    code: 'WHOLE_FAMILY_RISK',
    title: 'Whole-family risk',
    description:
      'Risks from adults in the household (domestic abuse, parental mental ill-health, substance misuse) were not joined up with the child’s needs.',
    bit: 9,
  },
  {
    code: 'RISKS_OUTSIDE_THE_HOME',
    title: 'Risks outside the home',
    description:
      'Extra-familial harm (criminal or sexual exploitation, serious youth violence, online harm) was not recognised or responded to together.',
    bit: 10,
  },
  {
    code: 'CHILDREN_NOT_IN_SCHOOL',
    title: 'Children not in school',
    description:
      'A child missing education, electively home educated or on a reduced timetable lost the protective oversight of school.',
    bit: 11,
  },
  {
    code: 'NEGLECT',
    title: 'Neglect',
    description:
      'Cumulative neglect was not recognised, or its impact on the child was underestimated over time.',
    bit: 12,
  },
  {
    code: 'RECORD_KEEPING',
    title: 'Record keeping',
    description:
      'Records were incomplete, inaccurate or not kept in one place, so decisions and their reasons could not be followed.',
    bit: 13,
  },
  {
    code: 'SERVICE_PROVISION',
    title: 'Service provision',
    description:
      'A service the child or family needed was not available, had a long wait, or ended before the need did.',
    bit: 14,
  },
  {
    code: 'ESCALATION_PROCESS',
    title: 'Use of the escalation procedure',
    description:
      'The escalation procedure was not known, not used, used late, or did not resolve the disagreement within its timescales.',
    bit: 15,
  },
  {
    code: 'TRANSITIONS',
    title: 'Transitions and transfers',
    description:
      'Risk was lost when the child moved area, school or service, or turned 18, or when a case was transferred between teams.',
    bit: 16,
  },
];

/** The theme mask is an integer column: at most 31 themes (bits 0–30) without a migration. */
export const MAX_THEME_BIT = 30;
