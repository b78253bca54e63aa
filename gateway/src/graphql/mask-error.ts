import { randomUUID } from 'node:crypto';
import { isClientVisible, withInputField, type Logger } from '@hub/kit';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { currentRequestScope } from '../context.js';
import { isQueryLimitError } from './query-limits.js';

/**
 * Extensions that describe the hub's insides rather than the client's request: @apollo/gateway
 * adds `serviceName` to every subgraph error, and older servers put stack traces in `exception`.
 */
const INTERNAL_EXTENSIONS = new Set(['serviceName', 'exception', 'stacktrace', 'response', 'http']);

/** The body of an error the client may not see the details of. */
export function internalError(correlationId: string): GraphQLFormattedError {
  return {
    message: `Internal error (correlation id ${correlationId})`,
    extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
  };
}

/**
 * What the client sees of a formatted error: client errors (the contract's codes, Apollo's
 * parse and validation errors) as they are minus internal extensions; anything else masked.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  correlationId: string,
): GraphQLFormattedError {
  if (!isClientVisible(formatted)) {
    const { locations, path } = formatted;
    return {
      ...internalError(correlationId),
      ...(locations && { locations }),
      ...(path && { path }),
    };
  }
  const extensions = Object.fromEntries(
    Object.entries(formatted.extensions ?? {}).filter(([key]) => !INTERNAL_EXTENSIONS.has(key)),
  );
  return withInputField({ ...formatted, extensions });
}

/**
 * Apollo's `formatError` for the gateway: limits become BAD_USER_INPUT, unexpected errors are
 * masked and logged in full with the request's correlation id.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const scope = currentRequestScope();
    const correlationId = scope?.correlationId ?? randomUUID();
    if (isQueryLimitError(error)) {
      return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
    }
    if (!isClientVisible(formatted)) {
      const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
      (scope?.log ?? log.child({ correlationId })).error(
        {
          err: original,
          message: formatted.message,
          code: formatted.extensions?.code,
          serviceName: formatted.extensions?.serviceName,
          path: formatted.path,
        },
        'masked an unexpected error',
      );
    }
    return maskError(formatted, correlationId);
  };
}
