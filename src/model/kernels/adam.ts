/**
 * One AdamW update of one weight, two ways side by side. Fused: the first moment, the second moment, then the
 * weight, each rewritten in its own buffer by one program (a thread per element), with the step's scalars as
 * uniforms. Stock: tfjs's ops, about fourteen dispatches per weight for the same update, every JavaScript number
 * among their operands a tensor uploaded to the GPU. Both compute, with m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ)
 * folded into `stepSize` and `epsilon` (see train/optimizer):
 *   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,  w ← decay·w − stepSize · m / (√v + epsilon).
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram, ownBuffer, runInPlace } from './webgpu';

/** The scalars of one step; `stepSize` and `epsilon` with the bias corrections folded in (see train/optimizer). */
export interface AdamStep {
  beta1: number;
  beta2: number;
  stepSize: number;
  epsilon: number;
  /** 1 − lr · weightDecay for decayed weights, 1 for the others. */
  decay: number;
}

const scaled = (clipped: boolean) => (clipped ? 'g[index] * clip[0]' : 'g[index]');

const firstMoment = (size: number, clipped: boolean) =>
  new FlatProgram(clipped ? 'adam_m_clipped' : 'adam_m', [size], clipped ? ['g', 'clip'] : ['g'], size, [{ name: 'beta', type: 'f32' }], `
      result[index] = uniforms.beta * result[index] + (1.0 - uniforms.beta) * ${scaled(clipped)};
    `);

const secondMoment = (size: number, clipped: boolean) =>
  new FlatProgram(clipped ? 'adam_v_clipped' : 'adam_v', [size], clipped ? ['g', 'clip'] : ['g'], size, [{ name: 'beta', type: 'f32' }], `
      let gs = ${scaled(clipped)};
      result[index] = uniforms.beta * result[index] + (1.0 - uniforms.beta) * gs * gs;
    `);

const apply = (size: number) =>
  new FlatProgram('adam_apply', [size], ['m', 'v'], size, [
    { name: 'stepSize', type: 'f32' },
    { name: 'epsilon', type: 'f32' },
    { name: 'decay', type: 'f32' },
  ], `
      result[index] = result[index] * uniforms.decay - uniforms.stepSize * m[index] / (sqrt(v[index]) + uniforms.epsilon);
    `);

/**
 * Updates `m`, `v` and `weight` in place (each first made the only holder of its buffer) from the gradient `g`, scaled by `clip` (a one-element tensor) when the
 * gradients are clipped. Shapes are the weight's; the caller checks them.
 */
export function adamInPlace(b: WebGPUBackend, weight: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, clip: tf.Tensor | null, step: AdamStep): void {
  for (const t of [weight, m, v]) ownBuffer(b, t);
  const size = weight.size;
  const grads = clip ? [g, clip] : [g];
  runInPlace(b, firstMoment(size, clip !== null), m, grads, [step.beta1]);
  runInPlace(b, secondMoment(size, clip !== null), v, grads, [step.beta2]);
  runInPlace(b, apply(size), weight, [m, v], [step.stepSize, step.epsilon, step.decay]);
}

/**
 * The same update with tfjs's ops (any backend). Run inside the caller's tidy: the intermediates are released
 * there; the variables are assigned.
 */
export function stockAdamUpdate(weight: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, clip: tf.Tensor | null, step: AdamStep): void {
  const gs = clip ? g.mul(clip) : g;
  const m1 = m.mul(step.beta1).add(gs.mul(1 - step.beta1));
  const v1 = v.mul(step.beta2).add(gs.square().mul(1 - step.beta2));
  m.assign(m1);
  v.assign(v1);
  const update = m1.div(v1.sqrt().add(step.epsilon)).mul(step.stepSize);
  const decayed = step.decay !== 1 ? weight.mul(step.decay) : weight;
  weight.assign(decayed.sub(update));
}
