import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * class-validator decorator for free text: a string of 1..max characters that is not only
 * white space. The hub's text limits are documented in docs/limits.md.
 */
export function NonBlank(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'nonBlank',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [max],
      options: {
        message: `must be between 1 and ${max} characters and not only white space`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.trim().length > 0 && value.length <= max,
      },
    });
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else names nothing (and must not reach a PostgreSQL uuid column). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Escapes `%`, `_` and `\` for a LIKE pattern used with `escape '\'`. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
