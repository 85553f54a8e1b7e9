/**
 * The mean of each sequence's real (unpadded) token vectors, [n, length, d] states and [n, length] mask -> [n, d];
 * a sequence without real tokens gives zeros (its count is held at 1), as the stock ops give.
 *
 * Fused: one program forward (a thread per output element, summing down the sequence) and one backward (each
 * position gets dy / count where its mask is 1), where tfjs multiplies, transposes and reduces with barriers.
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp, FlatProgram, runProgram, storedAsFloat } from './webgpu';

export function stockMaskedMeanPool(states: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const counts = mask.sum(1, true).maximum(1);
  return states.mul(mask.expandDims(2)).sum(1).div(counts) as tf.Tensor2D;
}

const DIMS = [
  { name: 'length', type: 'i32' },
  { name: 'width', type: 'i32' },
] as const;

const COUNT = `
      var count = 0.0;
      for (var l = 0; l < uniforms.length; l++) { count = count + mask[item * uniforms.length + l]; }
      count = max(count, 1.0);
`;

const forwardProgram = (n: number, width: number) =>
  new FlatProgram('masked_mean_pool', [n, width], ['states', 'mask'], n * width, DIMS, `
      let item = index / uniforms.width;
      let col = index % uniforms.width;
      ${COUNT}
      var acc = 0.0;
      for (var l = 0; l < uniforms.length; l++) {
        acc = acc + states[(item * uniforms.length + l) * uniforms.width + col] * mask[item * uniforms.length + l];
      }
      result[index] = acc / count;
    `);

/** A thread per item and column, down the sequence. */
const backwardProgram = (n: number, length: number, width: number) =>
  new FlatProgram('masked_mean_pool_grad', [n, length, width], ['dy', 'mask'], n * width, DIMS, `
      let item = index / uniforms.width;
      let col = index % uniforms.width;
      ${COUNT}
      let share = dy[index] / count;
      for (var l = 0; l < uniforms.length; l++) {
        result[(item * uniforms.length + l) * uniforms.width + col] = share * mask[item * uniforms.length + l];
      }
    `);

export function maskedMeanPool(b: WebGPUBackend | null, states: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  // The program reads the mask as float32; a mask stored otherwise takes the stock ops.
  if (!b || !storedAsFloat(b, mask)) return stockMaskedMeanPool(states, mask);
  const [n, length, width] = states.shape;
  // The mask is read, not differentiated; saved, since a mask built inside the loss function is gone by backward.
  const op = customOp<tf.Tensor2D>(([s], save) => {
    if (!s) throw new Error('maskedMeanPool: one input expected');
    save([mask]);
    return {
      value: runProgram(b, forwardProgram(n, width), [s, mask], [length, width]) as tf.Tensor2D,
      gradFunc: (dy, [m]) => [runProgram(b, backwardProgram(n, length, width), [dy, m as tf.Tensor], [length, width])],
    };
  });
  return op(states);
}
