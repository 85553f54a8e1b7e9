/**
 * Gradient accumulation on the page's backend: the same run (same seed, same batches) trained with the whole batch
 * at once and as micro-batches, with the fused kernels, for the browser test that checks they give the same update.
 */
import * as tf from '../model/tf';
import { readCopy, fusedDispatches } from '../model/kernels';
import type { RunConfig } from '../config/run-config';
import { trainerFor } from './runs';

export interface AccumulationCheck {
  backend: string;
  /** The loss of every step: the whole batch at once, and accumulated over micro-batches. */
  whole: number[];
  accumulated: number[];
  /**
   * Per weight after the last step: max |accumulated − whole| ÷ max |whole|. The key third of each qkv bias is left
   * out: softmax ignores a shift shared by all of a query's scores, so its exact gradient is 0 and what is computed
   * is float noise, which Adam (dividing by the gradient's own RMS) turns into steps of up to the learning rate in
   * whichever direction the noise of that summation order points.
   */
  errors: { name: string; error: number }[];
  /** How far the weights moved from their start, in the same measure: the errors must be small beside it. */
  moved: number;
  fusedPrograms: number;
}

/** Max |a − b| ÷ max |b| over a weight, the key-bias elements of a qkv bias excepted (see AccumulationCheck). */
function relativeError(name: string, a: Float32Array, b: Float32Array): number {
  const third = b.length / 3;
  const skip = (i: number) => name.endsWith('/qkv_b') && i >= third && i < 2 * third;
  let diff = 0;
  let scale = 0;
  b.forEach((v, i) => {
    scale = Math.max(scale, Math.abs(v));
    if (!skip(i)) diff = Math.max(diff, Math.abs(v - (a[i] as number)));
  });
  return scale > 0 ? diff / scale : diff;
}

async function weightsOf(vars: ReadonlyMap<string, tf.Variable>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  // GPU→CPU sync: once per weight at the end of the check; through copies, as the fused AdamW writes in place.
  for (const [name, v] of vars) out.set(name, await readCopy(v));
  return out;
}

export async function accumulationCheck(partial: Partial<RunConfig>, steps: number): Promise<AccumulationCheck> {
  if (!(partial.microBatch && partial.microBatch > 0)) throw new Error('the accumulation check needs a micro-batch smaller than the batch');
  const losses: Record<'whole' | 'accumulated', number[]> = { whole: [], accumulated: [] };
  const weights: Partial<Record<'whole' | 'accumulated' | 'start', Map<string, Float32Array>>> = {};
  const before = fusedDispatches();
  for (const [kind, microBatch] of [['whole', 0], ['accumulated', partial.microBatch]] as const) {
    const trainer = await trainerFor({ kernels: 'fused', ...partial, microBatch }, steps);
    try {
      if (kind === 'whole') weights.start = await weightsOf(trainer.model.params.vars);
      for (let i = 0; i < steps; i++) {
        const loss = trainer.step();
        // GPU→CPU sync: every step's loss, for the comparison.
        losses[kind].push((await loss.data())[0] as number);
        loss.dispose();
      }
      weights[kind] = await weightsOf(trainer.model.params.vars);
    } finally {
      trainer.dispose();
    }
  }
  const whole = weights.whole as Map<string, Float32Array>;
  const accumulated = weights.accumulated as Map<string, Float32Array>;
  const start = weights.start as Map<string, Float32Array>;
  const errors = [...whole].map(([name, w]) => ({ name, error: relativeError(name, accumulated.get(name) as Float32Array, w) }));
  const moved = Math.max(...[...whole].map(([name, w]) => relativeError(name, start.get(name) as Float32Array, w)));
  return { backend: tf.getBackend(), ...losses, errors, moved, fusedPrograms: fusedDispatches() - before };
}
