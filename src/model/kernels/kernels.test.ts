/**
 * What of the fused kernels runs without WebGPU: the CPU-side sort behind the embedding gradient, and the kernel
 * sets (off WebGPU, and in the stock set, every op is tfjs's own). The WGSL programs themselves are compared with the stock
 * ops on real WebGPU in e2e/kernels.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import '@tensorflow/tfjs-backend-cpu';
import { hostEmbeddingGrad } from './embedding';
import { FUSED_KERNELS, groupById, isKernelChoice, kernelsFor, STOCK_KERNELS, stockAttentionProbs, stockGelu, stockLayerNorm, stockMaskedMeanPool } from '.';

describe('groupById (the embedding gradient\'s counting sort)', () => {
  it('lists, for every id, the positions that carry it, in position order', () => {
    const ids = Int32Array.from([3, 0, 3, 1, 0, 0, 4, 3]);
    const { starts, positions } = groupById(ids, 6);
    // Written from the definition: each id's positions, ids in order.
    const expected = new Map<number, number[]>();
    ids.forEach((id, i) => expected.set(id, [...(expected.get(id) ?? []), i]));
    expect(starts).toHaveLength(7);
    for (let id = 0; id < 6; id++) {
      expect([...positions.subarray(starts[id], starts[id + 1])]).toEqual(expected.get(id) ?? []);
    }
    expect(starts[6]).toBe(ids.length);
  });

  it('refuses an id outside the table, naming it and its position', () => {
    expect(() => groupById(Int32Array.from([1, 7]), 5)).toThrow('token id 7 at position 1 is outside the table\'s 5 rows');
    expect(() => groupById(Int32Array.from([-1]), 5)).toThrow('token id -1 at position 0');
  });
});

describe('the kernel sets', () => {
  it('are values named by their choice, and refuse other names', () => {
    expect(kernelsFor('fused')).toBe(FUSED_KERNELS);
    expect(kernelsFor('stock')).toBe(STOCK_KERNELS);
    expect([FUSED_KERNELS.choice, STOCK_KERNELS.choice]).toEqual(['fused', 'stock']);
    expect(isKernelChoice('stock')).toBe(true);
    expect(isKernelChoice('fast')).toBe(false);
  });

  it('take the stock ops off WebGPU, whatever is chosen', async () => {
    await tf.setBackend('cpu');
    expect(FUSED_KERNELS.fusedBackend()).toBeNull();
    expect(STOCK_KERNELS.fusedBackend()).toBeNull();
  });

  it('gives the stock ops\' numbers on the CPU backend (the ops fall back rather than fail)', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor3d([1, 2, 3, 4, -1, 0.5, 2, 2, 0, 0, 0, 0], [2, 2, 3]);
    const g = tf.tensor1d([1, 2, 0.5]);
    const b = tf.tensor1d([0, 1, -1]);
    const mask = tf.tensor2d([1, 1, 1, 0], [2, 2]);
    const same = async (a: tf.Tensor, c: tf.Tensor) => expect([...(await a.data())]).toEqual([...(await c.data())]);
    const k = FUSED_KERNELS;
    await same(k.layerNorm(x, g, b, 1e-5), stockLayerNorm(x, g, b, 1e-5));
    await same(k.gelu(x), stockGelu(x));
    await same(k.maskedMeanPool(x, mask), stockMaskedMeanPool(x, mask));
    const logits = x.reshape([2, 1, 2, 3]) as tf.Tensor4D;
    const keyMask = tf.tensor2d([1, 1, 0, 1, 0, 0], [2, 3]);
    await same(k.attentionProbs(logits, keyMask, 0.5), stockAttentionProbs(logits, keyMask, 0.5));
    const table = tf.tensor2d([0, 1, 2, 3, 4, 5], [3, 2]);
    const ids = tf.tensor2d([2, 0, 1, 1], [2, 2], 'int32');
    await same(k.embeddingLookup(table, ids, Int32Array.from([2, 0, 1, 1])), tf.gather(table, ids));
    const w = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    await same(k.linear(x.reshape([4, 3]) as tf.Tensor2D, w, tf.tensor1d([1, 2])), tf.matMul(x.reshape([4, 3]), w).add(tf.tensor1d([1, 2])));
    await same(k.addBroadcast(x, g), x.add(g));
  });
});

describe('the embedding gradient on the CPU backend (summed on the host)', () => {
  it('equals tfjs\'s own gather gradient, repeated ids and padding included', async () => {
    await tf.setBackend('cpu');
    const table = tf.tensor2d(Float32Array.from({ length: 7 * 3 }, (_, i) => Math.sin(i)), [7, 3]);
    const host = Int32Array.from([4, 0, 4, 1, 0, 0, 6, 4]);
    const ids = tf.tensor2d(host, [2, 4], 'int32');
    const weights = tf.tensor3d(Float32Array.from({ length: 8 * 3 }, (_, i) => Math.cos(3 * i)), [2, 4, 3]);
    const ours = tf.grad((t: tf.Tensor) => FUSED_KERNELS.embeddingLookup(t as tf.Tensor2D, ids, host).mul(weights).sum())(table);
    const stock = tf.grad((t: tf.Tensor) => tf.gather(t, ids).mul(weights).sum())(table);
    const [a, b] = [await ours.data(), await stock.data()];
    expect(a.length).toBe(21);
    // Row 4 sums three positions: equal to float rounding (tfjs sums in another order).
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 6);
    // Rows 2, 3 and 5 are in no batch position: zero.
    expect([...a.slice(6, 12), ...a.slice(15, 18)]).toEqual(new Array(9).fill(0));
  });

  it('refuses gradients whose size does not match the ids', () => {
    expect(() => hostEmbeddingGrad(new Float32Array(5), Int32Array.from([1, 2]), 4, 3)).toThrow('5 values for 2 ids of 3 columns');
  });
});
