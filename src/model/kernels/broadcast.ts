/**
 * x + y where y repeats over x's leading dimensions (position embeddings over a batch, a token-type row over every
 * token). tfjs computes y's gradient by transposing and reducing with barriers; here it is a column sum of dy seen
 * as [repeats, y.size] (./reduce.ts).
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp } from './webgpu';
import { columnSum } from './reduce';

/** Whether y's shape, leading 1s dropped, is a suffix of x's. */
function repeatsOver(x: tf.Tensor, y: tf.Tensor): boolean {
  const ys = [...y.shape];
  while (ys.length > 0 && ys[0] === 1) ys.shift();
  const tail = x.shape.slice(x.rank - ys.length);
  return y.rank <= x.rank && ys.length <= x.rank && tail.join('x') === ys.join('x');
}

export function addBroadcast(b: WebGPUBackend | null, x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (!b || !repeatsOver(x, y) || y.size === 0) return x.add(y);
  const repeats = x.size / y.size;
  const op = customOp(([a, c]) => {
    if (!a || !c) throw new Error('addBroadcast: two inputs expected');
    return {
      value: a.add(c),
      gradFunc: (dy) => [dy, repeats === 1 ? dy.reshape(y.shape) : columnSum(b, dy.reshape([repeats, y.size])).reshape(y.shape)],
    };
  });
  return op(x, y);
}
