/**
 * Writes a zod issue's path the way the report names fields: `records[0].child.dateOfBirth`,
 * `identifiers[1].value`. Numbers are array positions; everything else is a property name.
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
