/**
 * GFLOP/s of the fused matrix products of one linear layer, x [tokens, in] · W [in, out], and its two gradients:
 * forward x·W, dX = dY·Wᵀ and dW = Xᵀ·dY (the last with k = tokens, optionally split over k). Each product is timed
 * by its programs' GPU time (timestamp queries) where the adapter has them, else by wall time around a read.
 */
import * as tf from '../model/tf';
import { maxRelativeError } from './errors';
import { FUSED_KERNELS, startTimingPrograms, stopTimingPrograms } from '../model/kernels';
import { product } from '../model/kernels/matmul';
import { selectBackend } from '../train/backend';
import { Rng } from '../util/random';

export interface MatmulRate {
  name: string;
  /** C [m, n] = op(A) · op(B) with inner size k. */
  m: number;
  k: number;
  n: number;
  /** Median milliseconds of one product. */
  ms: number;
  gflops: number;
  /**
   * The fastest run's milliseconds and GFLOP/s: on a machine shared with other work, interference only adds time, so
   * the best run is the least disturbed one.
   */
  bestMs: number;
  bestGflops: number;
  /** Programs timed per product (a split-K product runs its partial products and a column sum). */
  programs: string[];
  /** max |fused − tf.matMul| / max |tf.matMul|, from tfjs's own WebGPU matmul. */
  error: number;
  timing: 'gpu' | 'wall';
}

const random = (rng: Rng, shape: [number, number]) => tf.tensor(Float32Array.from({ length: shape[0] * shape[1] }, () => rng.normal()), [1, ...shape]) as tf.Tensor3D;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Times `f` (a product) `reps` times after one untimed run (shader compilation). */
async function timeProduct(f: () => tf.Tensor, reps: number): Promise<{ ms: number; bestMs: number; programs: string[]; timing: 'gpu' | 'wall' }> {
  const warm = f();
  await warm.data();
  warm.dispose();
  const gpu: number[] = [];
  const wall: number[] = [];
  let programs: string[] = [];
  for (let r = 0; r < reps; r++) {
    startTimingPrograms();
    const started = performance.now();
    const out = f();
    // GPU→CPU sync: the wall time includes the read.
    await out.data();
    wall.push(performance.now() - started);
    out.dispose();
    const times = await stopTimingPrograms();
    programs = times.map((t) => t.name);
    gpu.push(times.reduce((s, t) => s + t.ms, 0));
  }
  const gpuMs = median(gpu);
  return gpuMs > 0 ? { ms: gpuMs, bestMs: Math.min(...gpu), programs, timing: 'gpu' } : { ms: median(wall), bestMs: Math.min(...wall), programs, timing: 'wall' };
}

/**
 * The three products of a linear layer at [tokens, inDim] → outDim, and dW again with split-K aiming at each of
 * `splitTargets` threads. WebGPU with the fused kernels only.
 */
export async function matmulRates({ tokens, inDim, outDim, reps = 3, splitTargets = [] as number[] }: { tokens: number; inDim: number; outDim: number; reps?: number; splitTargets?: number[] }): Promise<{ adapterLimits: Record<string, number>; rates: MatmulRate[] }> {
  await selectBackend('webgpu');
  const be = FUSED_KERNELS.fusedBackend();
  if (!be) throw new Error('matmulRates needs WebGPU with the fused kernels');
  const rng = new Rng(11);
  const x = random(rng, [tokens, inDim]);
  const w = random(rng, [inDim, outDim]);
  const dy = random(rng, [tokens, outDim]);
  const cases: { name: string; m: number; k: number; n: number; fused: () => tf.Tensor; stock: () => tf.Tensor }[] = [
    { name: 'forward x·W', m: tokens, k: inDim, n: outDim, fused: () => product(be, x, w, false, false), stock: () => tf.matMul(x, w) },
    { name: 'dX = dY·Wᵀ', m: tokens, k: outDim, n: inDim, fused: () => product(be, dy, w, false, true), stock: () => tf.matMul(dy, w, false, true) },
    { name: 'dW = Xᵀ·dY', m: inDim, k: tokens, n: outDim, fused: () => product(be, x, dy, true, false, undefined, 0), stock: () => tf.matMul(x, dy, true, false) },
    ...splitTargets.map((target) => ({ name: `dW = Xᵀ·dY, split-K to ${target} threads`, m: inDim, k: tokens, n: outDim, fused: () => product(be, x, dy, true, false, undefined, target), stock: () => tf.matMul(x, dy, true, false) })),
  ];
  const rates: MatmulRate[] = [];
  try {
    for (const c of cases) {
      const { ms, bestMs, programs, timing } = await timeProduct(c.fused, reps);
      const [f, s] = [c.fused(), c.stock()];
      const error = await maxRelativeError(f, s);
      tf.dispose([f, s]);
      rates.push({ name: c.name, m: c.m, k: c.k, n: c.n, ms, gflops: (2 * c.m * c.k * c.n) / (ms * 1e6), bestMs, bestGflops: (2 * c.m * c.k * c.n) / (bestMs * 1e6), programs, error, timing });
    }
  } finally {
    tf.dispose([x, w, dy]);
  }
  const l = be.device.limits;
  return { adapterLimits: { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize, maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension }, rates };
}
