/**
 * Gradient accumulation: a batch's gradient as the sum of its micro-batches', so that a batch too large to run
 * through the student at once still takes the update the whole batch would give.
 */
import * as tf from '../model/tf';
import type { AdamW } from './optimizer';

/** The gradients of a whole batch, summed over its micro-batches, and the batch's loss. The caller owns both. */
export interface AccumulatedGradients {
  loss: tf.Scalar;
  grads: Map<string, tf.Tensor>;
}

/**
 * Runs `lossOf(0 … parts-1)`, each micro-batch's forward and backward in its own tidy (only one micro-batch's
 * activations are alive at a time), and sums their gradients into one weight-sized set. Each `lossOf(i)` must be
 * a mean over its micro-batch's `sizes[i]` triples (every loss in losses.ts is); it is scaled by sizes[i] ÷ Σ sizes,
 * so that the scaled losses, and their gradients, sum to the whole batch's mean loss and its gradient.
 */
export function accumulateGradients(optimizer: Pick<AdamW, 'gradients'>, sizes: readonly number[], lossOf: (part: number) => tf.Scalar): AccumulatedGradients {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (sizes.length === 0 || !sizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`micro-batch sizes must be positive integers, got [${sizes.join(', ')}]`);
  const sum = new Map<string, tf.Tensor>();
  // One scalar per micro-batch, added at the end.
  const losses: tf.Scalar[] = [];
  try {
    sizes.forEach((size, part) => {
      const { value, grads } = tf.tidy(() => {
        const g = optimizer.gradients(() => lossOf(part).mul(size / total) as tf.Scalar);
        // tidy keeps the tensors of a returned plain object, not of a Map.
        return { value: g.value, grads: Object.fromEntries(g.grads) };
      });
      losses.push(value);
      // Weight by weight, so that at most one weight's worth of new buffer exists beside the running sum and this
      // micro-batch's gradients. The first micro-batch's gradients become the sum as they are: no copy.
      for (const [name, g] of Object.entries(grads)) {
        const held = sum.get(name);
        if (!held) {
          sum.set(name, g);
          continue;
        }
        sum.set(name, tf.tidy(() => held.add(g)));
        tf.dispose([held, g]);
      }
    });
    return { loss: tf.tidy(() => losses.reduce((a, b) => a.add(b))), grads: sum };
  } catch (err) {
    tf.dispose([...sum.values()]);
    throw err;
  } finally {
    tf.dispose(losses);
  }
}
