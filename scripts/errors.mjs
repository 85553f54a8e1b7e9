// What a caught value says, for the scripts' messages: src/util/errors.ts's errorMessage, for plain Node, which runs
// the scripts as they are and cannot import the studio's TypeScript sources.

/**
 * @param {unknown} err
 * @returns {string} an Error's message, anything else as a string
 */
export function errorMessage(err) {
  return err instanceof Error ? err.message : String(err);
}
