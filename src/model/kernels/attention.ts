/**
 * Attention probabilities: softmax over keys of scale · q·kᵀ, padded keys left out. A padded key's logit gets
 * (mask − 1) · 10⁹ added, as the stock ops do, so a row whose keys are all padding is uniform on both paths.
 *
 * Fused: one program forward and one backward (a thread per row of logits), where tfjs runs a scale, a mask add and
 * a softmax of five kernels forward (two of them reductions with barriers) and more backward.
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp, FlatProgram, runProgram, storedAsFloat } from './webgpu';

/** 10⁹: exp() of a logit moved down this far is exactly 0 in float32. */
export const MASK_PENALTY = 1e9;

/** tfjs's ops: logits [n, heads, queries, keys], mask [n, keys] (1 a real key, 0 padding). */
export function stockAttentionProbs(logits: tf.Tensor4D, mask: tf.Tensor2D, scale: number): tf.Tensor4D {
  const [n, , , keys] = logits.shape;
  const additive = mask.sub(1).mul(MASK_PENALTY).reshape([n, 1, 1, keys]);
  return tf.softmax(logits.mul(scale).add(additive)) as tf.Tensor4D;
}

const DIMS = [
  { name: 'keys', type: 'i32' },
  { name: 'rowsPerItem', type: 'i32' },
  { name: 'scale', type: 'f32' },
] as const;

const forwardProgram = (shape: number[], rows: number) =>
  new FlatProgram('attention_softmax', shape, ['logits', 'mask'], rows, DIMS, `
      let base = index * uniforms.keys;
      let item = index / uniforms.rowsPerItem;
      var top = -3.4e38;
      for (var j = 0; j < uniforms.keys; j++) {
        let s = logits[base + j] * uniforms.scale + (mask[item * uniforms.keys + j] - 1.0) * ${MASK_PENALTY.toFixed(1)};
        top = max(top, s);
      }
      var total = 0.0;
      for (var j = 0; j < uniforms.keys; j++) {
        let s = logits[base + j] * uniforms.scale + (mask[item * uniforms.keys + j] - 1.0) * ${MASK_PENALTY.toFixed(1)};
        let e = exp(s - top);
        result[base + j] = e;
        total = total + e;
      }
      for (var j = 0; j < uniforms.keys; j++) {
        result[base + j] = result[base + j] / total;
      }
    `);

/** d logits = scale · p · (dp − Σⱼ dpⱼ pⱼ), a thread per row. */
const backwardProgram = (shape: number[], rows: number) =>
  new FlatProgram('attention_softmax_grad', shape, ['probs', 'dy'], rows, DIMS, `
      let base = index * uniforms.keys;
      var inner = 0.0;
      for (var j = 0; j < uniforms.keys; j++) { inner = inner + dy[base + j] * probs[base + j]; }
      for (var j = 0; j < uniforms.keys; j++) {
        result[base + j] = uniforms.scale * probs[base + j] * (dy[base + j] - inner);
      }
    `);

export function attentionProbs(b: WebGPUBackend | null, logits: tf.Tensor4D, mask: tf.Tensor2D, scale: number): tf.Tensor4D {
  // The program reads the mask as float32; a mask stored otherwise takes the stock ops.
  if (!b || !storedAsFloat(b, mask)) return stockAttentionProbs(logits, mask, scale);
  const [n, heads, queries, keys] = logits.shape;
  const rows = n * heads * queries;
  const uniforms = [keys, heads * queries, scale];
  // The mask is read, not differentiated: it is captured rather than passed as an input of the op (and the backward
  // pass needs only the probabilities, which are saved).
  const op = customOp<tf.Tensor4D>(([l], save) => {
    if (!l) throw new Error('attentionProbs: one input expected');
    const probs = runProgram(b, forwardProgram(logits.shape, rows), [l, mask], uniforms) as tf.Tensor4D;
    save([probs]);
    return {
      value: probs,
      gradFunc: (dy, [p]) => [runProgram(b, backwardProgram(logits.shape, rows), [p as tf.Tensor, dy], uniforms)],
    };
  });
  return op(logits);
}
