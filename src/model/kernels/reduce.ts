/**
 * Column sums of a [rows, cols] matrix without atomics or workgroup barriers: each pass sums blocks of up to 64 rows
 * (a thread per block and column), and passes repeat until one row is left. Gradients of biases and LayerNorm
 * gains are such sums over every token of a batch.
 */
import * as tf from '../tf';
import { FlatProgram, runProgram } from './webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export const ROWS_PER_BLOCK = 64;

const blockSum = (rows: number, cols: number) =>
  new FlatProgram(
    'column_block_sum',
    [Math.ceil(rows / ROWS_PER_BLOCK), cols],
    ['x'],
    Math.ceil(rows / ROWS_PER_BLOCK) * cols,
    [
      { name: 'rows', type: 'i32' },
      { name: 'cols', type: 'i32' },
    ],
    `
      let block = index / uniforms.cols;
      let col = index % uniforms.cols;
      let first = block * ${ROWS_PER_BLOCK};
      let last = min(first + ${ROWS_PER_BLOCK}, uniforms.rows);
      var acc = 0.0;
      for (var r = first; r < last; r++) {
        acc = acc + x[r * uniforms.cols + col];
      }
      result[index] = acc;
    `,
  );

/** [rows, cols] -> [cols]: the sum of every column. */
export function columnSum(b: WebGPUBackend, x: tf.Tensor2D): tf.Tensor1D {
  let [rows, cols] = x.shape;
  let current: tf.Tensor = x;
  const made: tf.Tensor[] = [];
  do {
    current = runProgram(b, blockSum(rows, cols), [current], [rows, cols]);
    made.push(current);
    rows = Math.ceil(rows / ROWS_PER_BLOCK);
  } while (rows > 1);
  const out = current.reshape([cols]) as tf.Tensor1D;
  tf.dispose(made);
  return out;
}
