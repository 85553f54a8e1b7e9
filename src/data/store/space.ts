/**
 * Asking the browser for room before writing much: `navigator.storage.estimate()` gives the origin's quota and what
 * it already uses, so a write that cannot fit is refused in words before any of it is written, instead of failing
 * half-way with the store's own exception.
 */

export interface SpaceEstimate {
  quota?: number;
  usage?: number;
}

/** The browser's estimate, or null where there is none (Node, some private windows). Works in windows and workers. */
export async function storageEstimate(): Promise<SpaceEstimate | null> {
  const storage = (globalThis as { navigator?: { storage?: { estimate?: () => Promise<SpaceEstimate> } } }).navigator?.storage;
  if (!storage?.estimate) return null;
  return storage.estimate().catch(() => null);
}

export function megabytes(n: number): string {
  return `${(n / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

export class NotEnoughSpaceError extends Error {
  override name = 'NotEnoughSpaceError';
}

/**
 * Refuses `bytes` more when the estimate says they do not fit: "`subject` need(s) about X, and the browser allows
 * this page only Y more (U of its Q quota used); nothing was written. `advice`". Without an estimate it lets the
 * write go ahead (the store's own refusal is then caught and worded where it is written).
 */
export async function ensureSpace(bytes: number, subject: string, advice: string, estimate: () => Promise<SpaceEstimate | null> = storageEstimate): Promise<void> {
  const e = await estimate();
  if (!e || e.quota === undefined || e.usage === undefined) return;
  const free = e.quota - e.usage;
  if (bytes > free) {
    throw new NotEnoughSpaceError(
      `${subject} about ${megabytes(bytes)}, and the browser allows this page only ${megabytes(Math.max(0, free))} more (${megabytes(e.usage)} of its ${megabytes(e.quota)} quota used); nothing was written. ${advice}`,
    );
  }
}
