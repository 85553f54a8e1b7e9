/**
 * What a caught value says, for a message shown or sent on: an Error's message, anything else as a string (a worker
 * or a library may throw a string, a DOMException-like object or undefined).
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
