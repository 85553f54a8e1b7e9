/**
 * The kernel set as a value: the ops a student's layers and the optimiser run, fused (the studio's WGSL programs
 * where tfjs runs on WebGPU) or stock (tfjs's own ops). A student and its optimiser are built with one set and
 * keep it, so two runs with different choices never disturb each other, and nothing has to be set again before use.
 */
import type * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelChoice } from './choice';
import { fusedBackendFor } from './webgpu';
import { layerNorm } from './layer-norm';
import { attentionProbs } from './attention';
import { gelu } from './gelu';
import { embeddingLookup } from './embedding';
import { adamInPlace, stockAdamUpdate, type AdamStep } from './adam';
import { batchMatMul, linear } from './matmul';
import { maskedMeanPool } from './pooling';
import { addBroadcast } from './broadcast';

export interface Kernels {
  readonly choice: KernelChoice;
  /** The WebGPU backend the fused programs run on now; null when this set takes the stock ops. */
  fusedBackend(): WebGPUBackend | null;
  /** x [rows, in] · W (+ bias): W is [in, out], or [out, in] with `transposeW` (Hugging Face's layout). */
  linear(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D | null, transposeW?: boolean): tf.Tensor2D;
  /** Batched products over equal leading dimensions, as tf.matMul. */
  batchMatMul(a: tf.Tensor, b: tf.Tensor, transposeA?: boolean, transposeB?: boolean): tf.Tensor;
  layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor;
  /** softmax(scale · logits) with padding keys masked out: [n, heads, q, k] with mask [n, k]. */
  attentionProbs(logits: tf.Tensor4D, mask: tf.Tensor2D, scale: number): tf.Tensor4D;
  gelu(x: tf.Tensor): tf.Tensor;
  /** Rows of `table` for [n, length] ids; with the ids on the CPU too, the table's gradient is summed by id. */
  embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor2D, hostIds?: Int32Array): tf.Tensor3D;
  /** Mean over the real (non-padding) positions: [n, length, d] -> [n, d]. */
  maskedMeanPool(states: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D;
  /** x + y where y repeats over x's leading dimensions. */
  addBroadcast(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** One AdamW update of one weight and its moments, in place (./adam.ts). */
  adamUpdate(weight: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, clip: tf.Tensor | null, step: AdamStep): void;
}

function kernelSet(choice: KernelChoice): Kernels {
  const be = () => fusedBackendFor(choice);
  return {
    choice,
    fusedBackend: be,
    linear: (x, w, bias, transposeW = false) => linear(be(), x, w, bias, transposeW),
    batchMatMul: (a, b, transposeA = false, transposeB = false) => batchMatMul(be(), a, b, transposeA, transposeB),
    layerNorm: (x, gamma, beta, eps) => layerNorm(be(), x, gamma, beta, eps),
    attentionProbs: (logits, mask, scale) => attentionProbs(be(), logits, mask, scale),
    gelu: (x) => gelu(be(), x),
    embeddingLookup: (table, ids, hostIds) => embeddingLookup(be(), table, ids, hostIds),
    maskedMeanPool: (states, mask) => maskedMeanPool(be(), states, mask),
    addBroadcast: (x, y) => addBroadcast(be(), x, y),
    adamUpdate: (weight, m, v, g, clip, step) => {
      const b = be();
      if (b) adamInPlace(b, weight, m, v, g, clip, step);
      else stockAdamUpdate(weight, m, v, g, clip, step);
    },
  };
}

/** The studio's fused kernels (the stock ops off WebGPU). */
export const FUSED_KERNELS: Kernels = kernelSet('fused');
/** tfjs's own ops everywhere: the reference the fused kernels are tested against. */
export const STOCK_KERNELS: Kernels = kernelSet('stock');

export function kernelsFor(choice: KernelChoice): Kernels {
  return choice === 'fused' ? FUSED_KERNELS : STOCK_KERNELS;
}
