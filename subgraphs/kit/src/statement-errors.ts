/**
 * A statement the database refuses must not carry its values into the error, which is logged
 * and may travel further: the values are a child's details as often as not.
 *
 * knex writes the statement it sent into the error's message, with its values (and on
 * PostgreSQL MikroORM writes the values into the statement's text as literals, so even knex's
 * `compileSqlOnError: false` would not keep them out); PostgreSQL's `detail` quotes the row or
 * key that failed ("Failing row contains (…)", "Key (nhs_number)=(…) already exists."). The
 * hub's knex dialects keep the driver's own message before knex adds the statement
 * ({@link keepDriverMessage}), and the places that run a statement put back the statement's
 * text with its placeholders ({@link withoutValues}): what it was and why it failed, never the
 * values. The constraint, table and column PostgreSQL names stay on the error.
 */

const DRIVER_MESSAGE = Symbol('the database driver’s own message');

type StatementError = Error & { [DRIVER_MESSAGE]?: string; detail?: unknown; code?: unknown };

/**
 * A message's quoted part, from its first double quote to its last: PostgreSQL quotes a value
 * without escaping the quotes in it, so a value's own quote must not end the part.
 */
const QUOTED = /"[\s\S]*"/;

/**
 * Called by the hub's knex dialects with the error of a statement the database refused, before
 * knex writes the statement into its message: keeps the driver's message, and drops
 * PostgreSQL's `detail`, which quotes the values. PostgreSQL's data exceptions (SQLSTATE class
 * 22: `invalid input syntax for type uuid: "…"`, `value "…" is out of range for type integer`)
 * quote in the message itself the value they refused, so their quoted part is blanked.
 */
export function keepDriverMessage(error: unknown): void {
  if (!(error instanceof Error)) return;
  const refused = error as StatementError;
  if (refused[DRIVER_MESSAGE] !== undefined) return;
  if ('detail' in refused) delete refused.detail;
  if (typeof refused.code === 'string' && refused.code.startsWith('22')) {
    setMessage(refused, refused.message.replace(QUOTED, '"…"'));
  }
  refused[DRIVER_MESSAGE] = refused.message;
}

/**
 * `error` with its message (and the first line of its stack) as `${sql} - ${the driver's
 * message}`, where `sql` is the statement's text with placeholders, not values. An error that
 * did not come from the database through the hub's dialects is left as it is.
 */
export function withoutValues<E>(error: E, sql: string): E {
  if (!(error instanceof Error)) return error;
  const refused = error as StatementError;
  const driverMessage = refused[DRIVER_MESSAGE];
  if (driverMessage === undefined) return error;
  setMessage(refused, `${sql} - ${driverMessage}`);
  return error;
}

/** `error`'s message as `message`, in its stack's first line too. */
function setMessage(error: Error, message: string): void {
  const old = error.message;
  if (old === message) return;
  // V8 writes the stack's first line from the message when the stack is first read: read it
  // now, so it holds the old message, and put the new one in its place.
  const stack = error.stack;
  error.message = message;
  if (typeof stack === 'string') error.stack = stack.replace(old, () => message);
}
