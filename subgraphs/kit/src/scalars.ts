import { GraphQLScalarType, Kind } from 'graphql';
import { HubError } from './errors.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/*
 * Scalar errors carry BAD_USER_INPUT but no `field`: GraphQL wraps them in a message naming the
 * variable's path, from which withInputField (server.ts) names the field.
 */
function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) {
    throw new HubError(
      'BAD_USER_INPUT',
      `DateTime: expected an ISO-8601 instant such as 2027-03-26T17:00:00.000Z, got ${JSON.stringify(value)}`,
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new HubError(
      'BAD_USER_INPUT',
      `DateTime: ${JSON.stringify(value)} is not a real instant`,
    );
  }
  return date;
}

/** ISO-8601 instant in UTC; always serialized with milliseconds and `Z`. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO-8601 instant in UTC, e.g. 2027-03-26T17:00:00.000Z',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new Error(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    return parseInstant(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

/** Checks a calendar date string (YYYY-MM-DD that exists in the calendar). */
export function isLocalDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

function parseLocalDate(value: unknown): string {
  if (!isLocalDate(value)) {
    throw new HubError(
      'BAD_USER_INPUT',
      `LocalDate: expected an ISO-8601 calendar date such as 2027-03-26, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** ISO-8601 calendar date, kept as its `YYYY-MM-DD` string. */
export const LocalDateScalar = new GraphQLScalarType<string, string>({
  name: 'LocalDate',
  description: 'ISO-8601 calendar date, e.g. 2027-03-26',
  serialize(value) {
    if (!isLocalDate(value)) throw new Error(`LocalDate cannot represent ${String(value)}`);
    return value;
  },
  parseValue: parseLocalDate,
  parseLiteral(ast) {
    return parseLocalDate(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

/** The name resolvers use: `@Field(() => LocalDate)`. */
export { LocalDateScalar as LocalDate };
