import { GraphQLError } from 'graphql';

/** The error codes a client may see (contract.graphql, "Errors"). */
export const CLIENT_ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'POLICY_VIOLATION',
  'WHISTLEBLOWING_ROUTE',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

export function isClientErrorCode(code: unknown): code is ClientErrorCode {
  return typeof code === 'string' && (CLIENT_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * An error a client may see. Everything else is a plain Error that the gateway masks.
 * The small subclasses below share this file because each is two lines; one class per file
 * would scatter them without making any clearer.
 */
export class HubError extends GraphQLError {
  constructor(code: ClientErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class UnauthenticatedError extends HubError {
  constructor(message = 'Authentication required: send a valid bearer token.') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends HubError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super('FORBIDDEN', message, extensions);
  }
}

export class NotFoundError extends HubError {
  /** `field`, when the id came from an input, names it as BAD_USER_INPUT does. */
  constructor(what: string, id: string, field?: string) {
    super(
      'NOT_FOUND',
      `${field ? `${field}: ` : ''}no ${what} with id ${id} that you may see.`,
      field ? { field } : {},
    );
  }
}

/** Malformed or out-of-range input; `field` names the input field (e.g. `input.child.name`). */
export class BadUserInputError extends HubError {
  constructor(field: string, message: string) {
    super('BAD_USER_INPUT', `${field}: ${message}`, { field });
  }
}

export class ConflictError extends HubError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class PolicyViolationError extends HubError {
  constructor(message: string) {
    super('POLICY_VIOLATION', message);
  }
}

export class WhistleblowingRouteError extends HubError {
  constructor(message: string) {
    super('WHISTLEBLOWING_ROUTE', message);
  }
}

/**
 * The unique key a database refused, when `error` or what it wraps (a GraphQLError's
 * originalError, an Error's cause) is MikroORM's unique-constraint violation: PostgreSQL names
 * the constraint, SQLite the table and columns. Never the values, which may be personal data.
 */
export function violatedUniqueKey(error: unknown): string | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const candidate = current as Error & { constraint?: string; originalError?: unknown };
    if (candidate.name === 'UniqueConstraintViolationException') {
      const sqlite = /UNIQUE constraint failed: ([\w., ]+)/.exec(candidate.message);
      return candidate.constraint ?? sqlite?.[1]?.trim() ?? 'a unique key';
    }
    current = candidate.originalError ?? candidate.cause;
  }
  return null;
}

/**
 * A unique-constraint violation that a request can still reach (two requests racing past the
 * same check), as the contract's CONFLICT naming the key. The transaction rolled back, so
 * nothing of the change was written.
 */
export function uniqueViolationConflict(key: string): HubError {
  return new HubError(
    'CONFLICT',
    `This change clashes with a record written at the same moment (unique key ${key}); nothing was written: try again.`,
    { constraint: key },
  );
}
