/**
 * GELU as `transformers`' "gelu": x · Φ(x) = x/2 · (1 + erf(x/√2)). WGSL has no erf, so the fused kernel uses
 * Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷), the approximation tfjs's own erf kernels use; its derivative is
 * Φ(x) + x·φ(x). One program forward and one backward, where the stock ops take five and about ten.
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp, FlatProgram, runProgram } from './webgpu';

export function stockGelu(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
}

const ERF = `
      fn erf_as(v : f32) -> f32 {
        let s = sign(v);
        let a = abs(v);
        let t = 1.0 / (1.0 + 0.3275911 * a);
        let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return s * (1.0 - poly * exp(-a * a));
      }
`;

class GeluProgram extends FlatProgram {
  override getUserCode(): string {
    return ERF + super.getUserCode();
  }
}

const forwardProgram = (shape: number[], size: number) =>
  new GeluProgram('gelu', shape, ['x'], size, [], `
      let v = x[index];
      result[index] = 0.5 * v * (1.0 + erf_as(v * ${Math.SQRT1_2}));
    `);

const backwardProgram = (shape: number[], size: number) =>
  new GeluProgram('gelu_grad', shape, ['x', 'dy'], size, [], `
      let v = x[index];
      let cdf = 0.5 * (1.0 + erf_as(v * ${Math.SQRT1_2}));
      let pdf = exp(-0.5 * v * v) * ${1 / Math.sqrt(2 * Math.PI)};
      result[index] = dy[index] * (cdf + v * pdf);
    `);

export function gelu(b: WebGPUBackend | null, x: tf.Tensor): tf.Tensor {
  if (!b) return stockGelu(x);
  const op = customOp(([input], save) => {
    if (!input) throw new Error('gelu: one input expected');
    save([input]);
    return {
      value: runProgram(b, forwardProgram(input.shape, input.size), [input]),
      gradFunc: (dy, [saved]) => [runProgram(b, backwardProgram(input.shape, input.size), [saved as tf.Tensor, dy])],
    };
  });
  return op(x);
}
