import { Role } from '@hub/schema';

/** Ends a sentence: a full stop, question mark, exclamation mark or ellipsis, maybe in quotes. */
const SENTENCE_END = /[.!?…]["'”’)\]]*$/;

/**
 * `text` as a sentence of a longer text the hub writes: trimmed, with one full stop at the end
 * unless it already ends a sentence, so "Injuries seen today." does not become "today..".
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return SENTENCE_END.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** How the record names the roles that qualify someone to be consulted before a later start. */
const CONSULTED_ROLES: [Role, string][] = [
  [Role.LINE_MANAGER, 'line manager'],
  [Role.SAFEGUARDING_LEAD, 'safeguarding lead'],
];

/**
 * The CONSULTATION record of an escalation raised after stage 1 because the risk is immediate:
 * where it started and why, in the raiser's words, and who was consulted, by name and role as
 * the directory had them when it was raised (the record is append-only, so it keeps them).
 */
export function consultationText(args: {
  stageNumber: number;
  stageName: string;
  justification: string;
  consulted: { name: string; roles: readonly string[] };
}): string {
  const roles = CONSULTED_ROLES.filter(([role]) => args.consulted.roles.includes(role)).map(
    ([, words]) => words,
  );
  const who = [args.consulted.name.trim(), roles.join(' and ')].filter(Boolean).join(', ');
  return [
    `Immediate risk: started at stage ${args.stageNumber} (${args.stageName}).`,
    `Justification: ${sentence(args.justification)}`,
    `Consulted: ${sentence(who)}`,
  ].join(' ');
}
