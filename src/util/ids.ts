/**
 * Ids for runs, datasets, checkpoints and locks: a prefix saying what it is, the time (so ids sort by creation)
 * and a random tail (so two made in the same millisecond, or in two tabs, differ).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}-${now.toString(36)}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
}
