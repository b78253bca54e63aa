/** The message of something thrown, for a problem report. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
