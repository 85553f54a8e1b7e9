/**
 * A plain square matrix product timed on the page's adapter, the ceiling a training step's GFLOP/s is judged
 * against (issue 21's target: a step at ≥ 70 % of the best plain matmul on the same adapter). Both programs the
 * studio can run are timed, tfjs's own matMul and the studio's fused one, and the faster is "the best".
 */
import * as tf from '../model/tf';
import { kernelsFor, type KernelChoice } from '../model/kernels';
import { selectBackend } from '../train/backend';
import { matmulFlops } from './flops';

export interface MatmulRate {
  backend: string;
  size: number;
  kernels: KernelChoice;
  /** Products timed after one untimed (shader compilation), read back once at the end. */
  reps: number;
  seconds: number;
  gflops: number;
}

/**
 * GFLOP/s of a [size, size]·[size, size] product with each kernel choice, on WebGPU ('cpu' only to check the code
 * on a machine without a GPU: there both choices run tfjs's CPU matMul).
 */
export async function matmulRate({ size = 512, reps = 4, backend: choice = 'webgpu' as 'webgpu' | 'cpu' } = {}): Promise<MatmulRate[]> {
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(reps) || reps < 1) throw new Error(`matmulRate: size and reps must be positive integers, got ${size} and ${reps}`);
  const { backend } = await selectBackend(choice);
  if (backend !== choice) throw new Error(`matmulRate: asked for ${choice}, got ${backend}`);
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  const out: MatmulRate[] = [];
  try {
    for (const kernels of ['stock', 'fused'] as const) {
      const set = kernelsFor(kernels);
      const product = () => set.batchMatMul(a, b);
      const first = product();
      await first.data(); // GPU→CPU sync: waits for compilation and the first product.
      first.dispose();
      const started = performance.now();
      const results: tf.Tensor[] = [];
      for (let r = 0; r < reps; r++) results.push(product());
      // One read of the last result: the queue runs in order, so all reps are done when it arrives.
      await (results[results.length - 1] as tf.Tensor).data(); // GPU→CPU sync
      const seconds = (performance.now() - started) / 1000;
      tf.dispose(results);
      out.push({ backend, size, kernels, reps, seconds, gflops: (reps * matmulFlops(size, size, size)) / seconds / 1e9 });
    }
  } finally {
    tf.dispose([a, b]);
  }
  return out;
}
