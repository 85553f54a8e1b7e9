/**
 * One linear layer as ONNX, float and int8, run in onnxruntime against plain-TypeScript references written from the
 * definitions: y = x · Wᵀ + b, and for int8 the ONNX spec's DynamicQuantizeLinear (uint8, scale = range / 255 with
 * the range stretched to include 0, zero point = round(−min / scale), round half to even) followed by an integer
 * product and the two scales.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './graph';
import { linear, quantizeSymmetric, transposed } from './linear';
import { DataType, writeModel } from './proto';
import { Rng } from '../../util/random';

const [ROWS, IN, OUT] = [3, 5, 4];

function randomArray(rng: Rng, n: number, spread: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 2 * spread);
}

async function runLinear(weight: Float32Array, bias: Float32Array, x: Float32Array, int8: boolean): Promise<Float32Array> {
  const g = new GraphBuilder();
  const input = g.input('x', DataType.FLOAT, ['rows', IN]);
  const y = linear(g, input, 'layer', { weight: { shape: [OUT, IN], data: weight }, bias: { shape: [OUT], data: bias } }, int8);
  g.output(y, 'y', DataType.FLOAT, ['rows', OUT]);
  const bytes = writeModel({ irVersion: 8, opsets: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '0', graph: { name: 'linear', nodes: g.nodes, initializers: g.initializers, inputs: g.inputs, outputs: g.outputs } });
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ x: new ort.Tensor('float32', x, [ROWS, IN]) });
  await session.release();
  return out.y!.data as Float32Array;
}

/** Round half to even, as ONNX's quantizers round. */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The int8 layer by its definition, in float64 from the float32 scales. */
function int8Reference(weight: Float32Array, bias: Float32Array, x: Float32Array): number[] {
  const { values: qw, scale: ws } = quantizeSymmetric(transposed(weight, OUT, IN));
  const lo = Math.min(0, ...x);
  const hi = Math.max(0, ...x);
  const xs = Math.fround((hi - lo) / 255);
  const zp = Math.max(0, Math.min(255, roundEven(-lo / xs)));
  const qx = Array.from(x, (v) => Math.max(0, Math.min(255, roundEven(v / xs) + zp)));
  const y: number[] = [];
  for (let r = 0; r < ROWS; r++) {
    for (let o = 0; o < OUT; o++) {
      let acc = 0;
      for (let i = 0; i < IN; i++) acc += ((qx[r * IN + i] as number) - zp) * (qw[i * OUT + o] as number);
      y.push(acc * Math.fround(xs * ws) + (bias[o] as number));
    }
  }
  return y;
}

describe('linear layer', () => {
  const rng = new Rng(5);
  const weight = randomArray(rng, OUT * IN, 0.8);
  const bias = randomArray(rng, OUT, 0.3);
  const x = randomArray(rng, ROWS * IN, 2);

  it('transposes [out, in] to [in, out]', () => {
    // W = [[1, 2, 3], [4, 5, 6]] → Wᵀ = [[1, 4], [2, 5], [3, 6]]
    expect(Array.from(transposed(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('quantizes weights per tensor, symmetric, to [-127, 127]', () => {
    // max|w| = 2.54 → scale 0.02; 1.0 / 0.02 = 50; −2.54 → −127; 0.03 / float32(0.02) is just over 1.5 → 2
    const { values, scale } = quantizeSymmetric(Float32Array.of(1, -2.54, 0.03, 0));
    expect(scale).toBeCloseTo(0.02, 7);
    expect(Array.from(values)).toEqual([50, -127, 2, 0]);
    expect(quantizeSymmetric(new Float32Array(3)).scale).toBe(1);
  });

  it('float32: x · Wᵀ + b', async () => {
    const y = await runLinear(weight, bias, x, false);
    for (let r = 0; r < ROWS; r++) {
      for (let o = 0; o < OUT; o++) {
        let ref = bias[o] as number;
        for (let i = 0; i < IN; i++) ref += (x[r * IN + i] as number) * (weight[o * IN + i] as number);
        expect(y[r * OUT + o]).toBeCloseTo(ref, 5);
      }
    }
  });

  it('int8: DynamicQuantizeLinear + MatMulInteger + Cast + Mul + Add, as defined', async () => {
    const y = await runLinear(weight, bias, x, true);
    const ref = int8Reference(weight, bias, x);
    ref.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    // And it is an approximation of the float layer, not the float layer itself.
    const exact = await runLinear(weight, bias, x, false);
    const err = Math.max(...ref.map((_, i) => Math.abs((y[i] as number) - (exact[i] as number))));
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(0.1);
  });
});
