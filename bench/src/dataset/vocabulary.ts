import type { Random } from './prng.js';

/**
 * Words the dataset writes: fictional places, people and plausible casework text, so that rows
 * have realistic lengths and content. No real person, place or case is meant.
 */
export const PLACES = [
  'Northbridge',
  'Eastmoor',
  'Westhaven',
  'Southfold',
  'Ashcombe',
  'Brackenford',
  'Caldergate',
  'Dunmere',
  'Elmsworth',
  'Fallowfield',
  'Greystone',
  'Harrowdale',
  'Ivybridge Vale',
  'Juniper Cross',
  'Kestrel Bay',
  'Larkhill',
  'Millbrook',
  'Netherby',
  'Oakhampton',
  'Pennington',
  'Queensmead',
  'Ravensworth',
  'Saltmarsh',
  'Thornbury',
  'Upperton',
  'Valebrook',
  'Willowmere',
  'Yarrowby',
  'Abbotsleigh',
  'Beckingham',
  'Coldharbour',
  'Deepdale',
  'Edgecombe',
  'Foxley',
  'Glenmore',
] as const;

export const GIVEN_NAMES = [
  'Amelia',
  'Oliver',
  'Isla',
  'George',
  'Ava',
  'Noah',
  'Mia',
  'Arthur',
  'Ivy',
  'Leo',
  'Freya',
  'Oscar',
  'Lily',
  'Harry',
  'Sophia',
  'Muhammad',
  'Grace',
  'Jack',
  'Evie',
  'Charlie',
  'Aisha',
  'Theo',
  'Zara',
  'Finley',
  'Ruby',
  'Kai',
  'Poppy',
  'Reuben',
  'Maya',
  'Tomasz',
  'Amira',
  'Kwame',
  'Niamh',
  'Rhys',
  'Seren',
  'Callum',
  'Eilidh',
  'Priya',
  'Daniel',
  'Chloe',
] as const;

export const FAMILY_NAMES = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Khan',
  'Clarke',
  'Hughes',
  'Edwards',
  'Okafor',
  'Nowak',
  'Mensah',
  'Ahmed',
  "O'Neill",
  'MacLeod',
  'Kowalski',
  'Adeyemi',
  'Begum',
  'Murphy',
  'Campbell',
  'Singh',
  'Price',
] as const;

export function personName(random: Random): string {
  return `${random.pick(GIVEN_NAMES)} ${random.pick(FAMILY_NAMES)}`;
}

const CONCERNS = [
  'The referral made on {day} about bruising seen at school was closed without a strategy discussion',
  'The family support plan has not been reviewed since the mother disclosed domestic abuse on {day}',
  'Repeated missed health appointments for the child have not been followed up by the lead agency',
  'A request for an early help assessment was stepped down although the threshold document points to statutory assessment',
  'Information about a new adult in the household was not shared with partner agencies before the core group on {day}',
  'The child has been on a reduced timetable for six weeks and no agency has taken responsibility for the plan',
  'Concerns about neglect reported on {day} were recorded as a single incident rather than a pattern',
  'The decision to end the child protection plan at the conference on {day} did not reflect the school’s evidence',
  'A police notification about a domestic incident on {day} did not lead to a visit within the agreed timescale',
  'The child’s own account given on {day} was not considered when the assessment was concluded',
  'Housing has not acted on the agreed move although the current address is known to the exploiting adults',
  'The hospital discharge on {day} went ahead without the discharge planning meeting the plan requires',
] as const;

const OUTCOMES = [
  'A multi-agency strategy discussion within two working days, with the school invited',
  'Reconsideration of the threshold decision by a team manager, recorded with reasons',
  'An agreed lead professional and a date for the next review of the plan',
  'Sharing of the relevant information with all agencies on the plan before the next core group',
  'A joint home visit and an updated assessment that includes the child’s views',
  'A written response explaining the decision and how the concerns will be monitored',
] as const;

const WORK = [
  'Telephone discussion between the two practitioners; positions explained and notes exchanged.',
  'Meeting held with both agencies; the threshold guidance was reviewed together.',
  'Action agreed: the responding agency will re-read the referral and the school chronology.',
  'Decision: the assessment will be reopened and the case allocated to a qualified social worker.',
  'Email exchange summarised; the responding agency maintains its decision pending further information.',
  'Professionals meeting convened; health and education evidence presented.',
  'Action: a strategy discussion is booked and the police are invited.',
  'Decision recorded by the team manager after reviewing the case file with the raiser.',
] as const;

const NOTES = [
  'Chronology attached to the case file for reference.',
  'Further contact attempted; awaiting a reply from the duty team.',
  'Designated safeguarding lead informed of progress.',
  'Parents informed of the professionals meeting, as agreed.',
] as const;

const REASONS = [
  'Disagreement not resolved between practitioners within the timescale.',
  'The responding agency maintains its decision; the line managers need to review it.',
  'No agreement reached at line manager level; escalating to senior managers.',
  'Senior managers could not agree; the board is asked to convene a resolution panel.',
  'Risk to the child continues while the disagreement is unresolved.',
] as const;

const RESOLUTIONS = [
  'Agreed that a strategy discussion will be held and the case will remain open to children’s social care.',
  'Agreed that an early help assessment is the right response, with a review in six weeks.',
  'Agreed to share the information and to hold a joint review of the plan.',
  'Agreed that the original decision stands, with the reasons explained in writing and a review date set.',
  'Agreed that the lead professional role moves to the school with social care support.',
] as const;

const ISSUES = [
  'Update the chronology with the incidents raised by the school',
  'Arrange the review meeting and circulate the invitations',
  'Complete the health assessment and share its outcome',
  'Confirm the allocation of the case to a named worker',
  'Feed back to the raiser on the outcome of the reassessment',
] as const;

const WITHDRAWALS = [
  'The concern was addressed by the new information shared at the core group.',
  'The responding agency has taken the action asked for; no need to continue.',
  'The family has moved out of the area and the case has been transferred.',
] as const;

const STATEMENTS = [
  'Our agency’s position is set out in the attached chronology: the threshold for statutory intervention was met.',
  'We maintain that the decision was proportionate on the information available at the time.',
  'The school’s evidence of cumulative neglect was not given enough weight in the assessment.',
  'We ask the panel to note the repeated missed appointments and the child’s own account.',
] as const;

const DECISIONS = [
  'The panel finds the threshold for a statutory assessment was met.',
  'The panel upholds the original decision and asks for a review of the plan within six weeks.',
  'The panel finds that both agencies acted in good faith and that information sharing must improve.',
] as const;

const NEXT_ACTIONS = [
  'A strategy discussion within two working days, led by children’s social care.',
  'A joint review of the plan chaired by the safeguarding partnership.',
  'Written feedback to both agencies and a case audit in three months.',
] as const;

const DEBRIEF_NOTES = [
  'Both agencies reflected on how the disagreement was handled and what would have resolved it sooner.',
  'The debrief looked at the timeline of the escalation and at the information each agency held.',
] as const;

const LESSONS = [
  'Share the chronology at the first stage, not the second.',
  'Use the threshold document together when agencies disagree.',
  'Name a lead professional as soon as the plan changes.',
  'Record the child’s views in every assessment decision.',
  'Escalate within the timescale rather than waiting for the next meeting.',
] as const;

const AMENDMENTS = [
  [
    'Strategy discussions: who is invited',
    'Escalations show schools were left out of strategy discussions.',
  ],
  [
    'Threshold document: reduced timetables',
    'Several disagreements turned on whether a reduced timetable is a safeguarding concern.',
  ],
  [
    'Escalation stage 1 timescale',
    'Stage 1 is often overdue; practitioners ask for clearer guidance on first contact.',
  ],
  [
    'Information sharing at discharge',
    'Hospital discharges went ahead without the agencies on the plan being told.',
  ],
] as const;

/** `{day}` in a template becomes a plausible date mention. */
function fill(template: string, random: Random): string {
  return template.replace(
    '{day}',
    `${random.int(1, 28)} ${random.pick(['January', 'March', 'May', 'July', 'September', 'November'])}`,
  );
}

export const text = {
  concern: (random: Random) => `${fill(random.pick(CONCERNS), random)}.`,
  outcome: (random: Random) => `${random.pick(OUTCOMES)}.`,
  work: (random: Random) => random.pick(WORK),
  note: (random: Random) => random.pick(NOTES),
  reason: (random: Random) => random.pick(REASONS),
  resolution: (random: Random) => random.pick(RESOLUTIONS),
  issue: (random: Random) => random.pick(ISSUES),
  withdrawal: (random: Random) => random.pick(WITHDRAWALS),
  statement: (random: Random) => random.pick(STATEMENTS),
  decision: (random: Random) => random.pick(DECISIONS),
  nextAction: (random: Random) => random.pick(NEXT_ACTIONS),
  debriefNotes: (random: Random) => random.pick(DEBRIEF_NOTES),
  lessons: (random: Random) => random.sample(LESSONS, random.int(1, 3)),
  amendment: (random: Random) => random.pick(AMENDMENTS),
  justification: (random: Random) =>
    random.pick([
      'The child disclosed that the adult is returning home tonight',
      'Injuries seen today and the child is frightened to go home.',
      'The child has been missing overnight twice this week',
    ]),
};
