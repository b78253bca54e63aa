/**
 * The media type of a `Content-Type` value, lower-cased and without parameters:
 * `Text/CSV; charset=utf-8` → `text/csv`. Media types are case-insensitive (RFC 9110).
 */
export function mediaType(contentType: string): string {
  return contentType.split(';', 1)[0]!.trim().toLowerCase();
}
