/** How far a computed tensor is from its reference, as the kernel checks and benchmarks report it. */
import * as tf from '../model/tf';

/**
 * max |a − b| / max |b|, read back from the device (GPU→CPU sync); Infinity when the sizes differ. Relative to the
 * reference's largest magnitude, so that elements near zero do not dominate.
 */
export async function maxRelativeError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  if (x.length !== y.length) return Infinity;
  let diff = 0;
  let top = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs((x[i] as number) - (y[i] as number)));
    top = Math.max(top, Math.abs(y[i] as number));
  }
  return diff / Math.max(top, 1e-30);
}
