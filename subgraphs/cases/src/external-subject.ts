import { registerDecorator } from 'class-validator';

/**
 * The longest external subject the directory stores. OIDC sets no limit on `sub`; identity
 * providers keep to 255 ASCII characters, and the gateway does not look up a longer one.
 */
export const EXTERNAL_SUBJECT_MAX_LENGTH = 255;

/**
 * Why `value` cannot be an external subject, or null when it can. Subjects are compared exactly
 * (OIDC makes them case-sensitive), so white space at either end is refused rather than trimmed:
 * trimming would store a subject no token carries, and the practitioner could never sign in.
 */
export function externalSubjectProblem(value: string): string | null {
  if (value.trim().length === 0) return 'must not be blank';
  if (value.length > EXTERNAL_SUBJECT_MAX_LENGTH) {
    return `must be at most ${EXTERNAL_SUBJECT_MAX_LENGTH} characters`;
  }
  if (value.trim() !== value) return 'must not start or end with white space';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must not contain control characters';
  return null;
}

/** class-validator decorator for an optional external subject in an input (null is allowed). */
export function IsExternalSubject(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isExternalSubject',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: ({ value }) =>
          (typeof value === 'string' && externalSubjectProblem(value)) || 'must be a string',
      },
      validator: {
        validate: (value: unknown) =>
          value === null ||
          value === undefined ||
          (typeof value === 'string' && externalSubjectProblem(value) === null),
      },
    });
  };
}
