/**
 * The device limits a fused program can run into at real widths, checked before it is dispatched.
 *
 * tfjs binds each tensor's whole buffer. A buffer larger than the device's `maxStorageBufferBindingSize` fails
 * WebGPU validation, which tfjs does not catch: the program does not run and its output is left as zeros or stale
 * values, with only a console warning. At DistilBERT's width the feed-forward activation of 64 passages of 200
 * tokens is 64 · 200 · 3072 · 4 B = 157 MB, over the 128 MiB that WebGPU guarantees (adapters often allow more, and
 * tfjs asks for the adapter's maximum). A whole tensor is the unit every later op binds too, so splitting one
 * program's rows would not help: the fix is fewer tokens per step (a smaller micro-batch or shorter passages), and the
 * error says so.
 *
 * The other limit, `maxComputeWorkgroupsPerDimension` (65,535), tfjs handles: a flat dispatch of more workgroups is
 * reshaped to a square (or cube) grid, and the program's flat index is rebuilt from the workgroup id. AdamW over a
 * 30,522 × 384 table is 183,146 workgroups of 64; the real-width kernel checks run such programs against the stock ops.
 */
import { formatBytes } from '../../util/bytes';

/** One buffer a program binds: a label for the message, and its size in bytes. */
export interface Binding {
  name: string;
  bytes: number;
}


/** float32 and int32 both take 4 bytes; the fused programs bind nothing else. */
export const BYTES_PER_ELEMENT = 4;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The bindings over `limit` bytes, largest first. */
export function oversizedBindings(bindings: readonly Binding[], limit: number): Binding[] {
  return bindings.filter((b) => b.bytes > limit).sort((x, y) => y.bytes - x.bytes);
}

/**
 * Throws, naming the program, each buffer over the limit and the limit, when a binding would exceed it; `limit` is
 * the device's `maxStorageBufferBindingSize`.
 */
export function checkBindings(program: string, bindings: readonly Binding[], limit: number): void {
  if (!(limit > 0)) throw new Error(`${program}: the device reports no storage binding limit (${limit})`);
  const over = oversizedBindings(bindings, limit);
  if (over.length === 0) return;
  const list = over.map((b) => `${b.name} of ${formatBytes(b.bytes)}`).join(', ');
  throw new Error(
    `${program}: ${list} over this GPU's storage binding limit of ${formatBytes(limit)}. ` +
      'Run fewer tokens at once: a smaller micro-batch, or shorter queries and passages.',
  );
}
