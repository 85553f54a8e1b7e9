/**
 * LayerNorm over the last axis, y = (x − mean) / √(var + ε) · γ + β with the biased variance (as torch and
 * tf.moments compute it).
 *
 * Fused: the forward pass is two programs (each row's mean and 1/σ, a thread per row; then the normalised output, a
 * thread per element) where tfjs's ops take about eight, several of them reductions with workgroup barriers. The
 * backward pass is one program for dx (a thread per row) and block sums for dγ and dβ (./reduce.ts).
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp, FlatProgram, runProgram } from './webgpu';
import { ROWS_PER_BLOCK, columnSum } from './reduce';

/** tfjs's ops, as the students used them before the fused kernels. */
export function stockLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(gamma).add(beta);
}

const WIDTH = [{ name: 'width', type: 'i32' }] as const;

/** [rows, width] -> [rows, 2]: each row's mean and 1/√(var + ε). */
const statsProgram = (rows: number) =>
  new FlatProgram('ln_stats', [rows, 2], ['x'], rows, [...WIDTH, { name: 'eps', type: 'f32' }], `
      let base = index * uniforms.width;
      var sum = 0.0;
      for (var j = 0; j < uniforms.width; j++) { sum = sum + x[base + j]; }
      let mean = sum / f32(uniforms.width);
      var squares = 0.0;
      for (var j = 0; j < uniforms.width; j++) { let c = x[base + j] - mean; squares = squares + c * c; }
      result[2 * index] = mean;
      result[2 * index + 1] = inverseSqrt(squares / f32(uniforms.width) + uniforms.eps);
    `);

const normalizeProgram = (rows: number, width: number) =>
  new FlatProgram('ln_normalize', [rows, width], ['x', 'stats', 'gamma', 'beta'], rows * width, WIDTH, `
      let row = index / uniforms.width;
      let col = index % uniforms.width;
      result[index] = (x[index] - stats[2 * row]) * stats[2 * row + 1] * gamma[col] + beta[col];
    `);

/** dx = 1/σ · (g − mean(g) − x̂ · mean(g · x̂)) with g = dy · γ, a thread per row. */
const inputGradProgram = (rows: number, width: number) =>
  new FlatProgram('ln_input_grad', [rows, width], ['x', 'stats', 'gamma', 'dy'], rows, WIDTH, `
      let base = index * uniforms.width;
      let mean = stats[2 * index];
      let rstd = stats[2 * index + 1];
      var sumG = 0.0;
      var sumGX = 0.0;
      for (var j = 0; j < uniforms.width; j++) {
        let g = dy[base + j] * gamma[j];
        sumG = sumG + g;
        sumGX = sumGX + g * (x[base + j] - mean) * rstd;
      }
      let meanG = sumG / f32(uniforms.width);
      let meanGX = sumGX / f32(uniforms.width);
      for (var j = 0; j < uniforms.width; j++) {
        let xhat = (x[base + j] - mean) * rstd;
        result[base + j] = rstd * (dy[base + j] * gamma[j] - meanG - xhat * meanGX);
      }
    `);

/** Block sums of dy · x̂ (columns [0, width)) and dy (columns [width, 2·width)) over up to 64 rows each. */
const paramGradProgram = (rows: number, width: number) =>
  new FlatProgram('ln_param_grad', [Math.ceil(rows / ROWS_PER_BLOCK), 2 * width], ['x', 'stats', 'dy'], Math.ceil(rows / ROWS_PER_BLOCK) * 2 * width, [...WIDTH, { name: 'rows', type: 'i32' }], `
      let block = index / (2 * uniforms.width);
      let k = index % (2 * uniforms.width);
      let col = k % uniforms.width;
      let first = block * ${ROWS_PER_BLOCK};
      let last = min(first + ${ROWS_PER_BLOCK}, uniforms.rows);
      var acc = 0.0;
      for (var r = first; r < last; r++) {
        let i = r * uniforms.width + col;
        if (k < uniforms.width) {
          acc = acc + dy[i] * (x[i] - stats[2 * r]) * stats[2 * r + 1];
        } else {
          acc = acc + dy[i];
        }
      }
      result[index] = acc;
    `);

/** LayerNorm of `x` [..., width] with gain and bias [width]; fused on WebGPU unless the stock ops are chosen. */
export function layerNorm(b: WebGPUBackend | null, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  if (!b) return stockLayerNorm(x, gamma, beta, eps);
  const shape = x.shape;
  const width = shape[shape.length - 1] as number;
  const rows = x.size / width;
  const op = customOp(([xIn, g, bt], save) => {
    if (!xIn || !g || !bt) throw new Error('layerNorm: three inputs expected');
    const x2 = xIn.reshape([rows, width]);
    const stats = runProgram(b, statsProgram(rows), [x2], [width, eps]);
    const y = runProgram(b, normalizeProgram(rows, width), [x2, stats, g, bt], [width]).reshape(shape);
    save([x2, stats, g]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, st, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dy2 = dy.reshape([rows, width]);
        const dx = runProgram(b, inputGradProgram(rows, width), [xs, st, gm, dy2], [width]).reshape(shape);
        const partial = runProgram(b, paramGradProgram(rows, width), [xs, st, dy2], [width, rows]) as tf.Tensor2D;
        const sums = partial.shape[0] === 1 ? partial.reshape([2 * width]) : columnSum(b, partial);
        const [dGamma, dBeta] = tf.split(sums, 2) as [tf.Tensor, tf.Tensor];
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta);
}
