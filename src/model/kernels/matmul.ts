/**
 * Matrix products for the encoders' linear layers and attention: C[i] = op(A[i]) · op(B[i]) (+ bias), op an optional
 * transpose, batches of equal count (or one, for plain matrices).
 *
 * Each thread computes a 4×4 block of C straight from global memory: no shared-memory tiles and no workgroup
 * barriers, which software adapters (SwiftShader) pay dearly for and which tfjs's tiled and split-K programs are
 * built on. The gradients are the same program with other transposes, and the bias gradient a column sum.
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp, FlatProgram, runProgram } from './webgpu';
import { columnSum } from './reduce';

const TILE = 4;

function matmulProgram(batch: number, m: number, n: number, transposeA: boolean, transposeB: boolean, bias: boolean): FlatProgram {
  // Loads clamp their row / column to the matrix, so the loop needs no bounds checks; only stores are guarded.
  const aAt = (row: string) => (transposeA ? `a[aBase + kk * uniforms.m + min(${row}, uniforms.m - 1)]` : `a[aBase + min(${row}, uniforms.m - 1) * uniforms.k + kk]`);
  const bAt = (col: string) => (transposeB ? `b[bBase + min(${col}, uniforms.n - 1) * uniforms.k + kk]` : `b[bBase + kk * uniforms.n + min(${col}, uniforms.n - 1)]`);
  const rows = [0, 1, 2, 3];
  return blockProgram('matmul', batch, m, n, transposeA, transposeB, bias, `
      let aBase = item * uniforms.m * uniforms.k;
      let bBase = item * uniforms.k * uniforms.n;
      for (var kk = 0; kk < uniforms.k; kk++) {
        let bv = vec4<f32>(${bAt('col0')}, ${bAt('col0 + 1')}, ${bAt('col0 + 2')}, ${bAt('col0 + 3')});
        ${rows.map((r) => `acc${r} = acc${r} + ${aAt(`row0 + ${r}`)} * bv;`).join('\n        ')}
      }`);
}

/**
 * acc_r += A[kk, row0 + r] · B[kk, col0 .. col0 + 3] for kk in [first, last), with `a`, `b` read as vec4 at aBase +
 * kk·mq and bBase + kk·nq. (Unrolling this loop by 4 was measured on SwiftShader and showed no gain beyond the
 * machine's noise: BENCHMARKS.md, "Kernels at real width".)
 */
function outerProducts(first: string, last: string): string {
  return `for (var kk = ${first}; kk < ${last}; kk++) {
        let av = a[aBase + kk * mq];
        let bv = b[bBase + kk * nq];
        acc0 = acc0 + av.x * bv;
        acc1 = acc1 + av.y * bv;
        acc2 = acc2 + av.z * bv;
        acc3 = acc3 + av.w * bv;
      }`;
}

/** A program of 4×4 blocks of C: `loop` accumulates block (row0, col0) of matrix `item` into acc0..acc3 (rows). */
function blockProgram(kind: string, batch: number, m: number, n: number, transposeA: boolean, transposeB: boolean, bias: boolean, loop: string, extra: readonly { name: string; type: 'i32' }[] = []): FlatProgram {
  return new FlatProgram(
    `${kind}_${transposeA ? 't' : 'n'}${transposeB ? 't' : 'n'}${bias ? '_bias' : ''}`,
    [batch, m, n],
    bias ? ['a', 'b', 'bias'] : ['a', 'b'],
    batch * Math.ceil(m / TILE) * Math.ceil(n / TILE),
    [...MATMUL_UNIFORMS, ...extra],
    `
      let perItem = uniforms.tilesM * uniforms.tilesN;
      let item = index / perItem;
      let tile = index % perItem;
      let row0 = (tile / uniforms.tilesN) * ${TILE};
      let col0 = (tile % uniforms.tilesN) * ${TILE};
      ${[0, 1, 2, 3].map((r) => `var acc${r} = vec4<f32>(0.0);`).join('\n      ')}
      ${loop}
      ${store(bias)}
    `,
  );
}

function vectorMatmulProgram(batch: number, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean, bias: boolean): FlatProgram | null {
  const rows = [0, 1, 2, 3];
  let loop: string;
  if (!transposeA && !transposeB && k % 4 === 0 && n % 4 === 0) {
    // A [m, k] by rows of k/4 vec4s; B [k, n] by rows of n/4 vec4s.
    loop = `
      let kq = uniforms.k / 4;
      let nq = uniforms.n / 4;
      let aBase = item * uniforms.m * kq;
      let bBase = item * uniforms.k * nq + col0 / 4;
      ${rows.map((r) => `let aRow${r} = aBase + min(row0 + ${r}, uniforms.m - 1) * kq;`).join('\n      ')}
      for (var q = 0; q < kq; q++) {
        let b0 = b[bBase + (4 * q) * nq];
        let b1 = b[bBase + (4 * q + 1) * nq];
        let b2 = b[bBase + (4 * q + 2) * nq];
        let b3 = b[bBase + (4 * q + 3) * nq];
        ${rows.map((r) => `let a${r} = a[aRow${r} + q];\n        acc${r} = acc${r} + a${r}.x * b0 + a${r}.y * b1 + a${r}.z * b2 + a${r}.w * b3;`).join('\n        ')}
      }`;
  } else if (!transposeA && transposeB && k % 4 === 0) {
    // A [m, k] and B [n, k], both by rows of k/4 vec4s: each output is a sum of dot products.
    loop = `
      let kq = uniforms.k / 4;
      let aBase = item * uniforms.m * kq;
      let bBase = item * uniforms.n * kq;
      ${rows.map((r) => `let aRow${r} = aBase + min(row0 + ${r}, uniforms.m - 1) * kq;`).join('\n      ')}
      ${rows.map((c) => `let bRow${c} = bBase + min(col0 + ${c}, uniforms.n - 1) * kq;`).join('\n      ')}
      for (var q = 0; q < kq; q++) {
        let b0 = b[bRow0 + q];
        let b1 = b[bRow1 + q];
        let b2 = b[bRow2 + q];
        let b3 = b[bRow3 + q];
        ${rows.map((r) => `let a${r} = a[aRow${r} + q];\n        acc${r} = acc${r} + vec4<f32>(dot(a${r}, b0), dot(a${r}, b1), dot(a${r}, b2), dot(a${r}, b3));`).join('\n        ')}
      }`;
  } else if (transposeA && !transposeB && m % 4 === 0 && n % 4 === 0) {
    // A [k, m] gives four rows of the block per vec4, B [k, n] four columns: an outer product per k.
    loop = `
      let mq = uniforms.m / 4;
      let nq = uniforms.n / 4;
      let aBase = item * uniforms.k * mq + row0 / 4;
      let bBase = item * uniforms.k * nq + col0 / 4;
      ${outerProducts('0', 'uniforms.k')}`;
  } else {
    return null;
  }
  const program = blockProgram('matmul4', batch, m, n, transposeA, transposeB, bias, loop);
  program.variableComponents = bias ? [4, 4, 1] : [4, 4];
  return program;
}

/**
 * Aᵀ·B for A [k, m], B [k, n] with k split into `slices` runs of `kPerSlice`: matrix `item` of the [slices, m, n]
 * output is the partial product over slice `item`, and a column sum over slices (./reduce.ts) finishes it. A weight
 * gradient (dW = Xᵀ·dY) reduces over every token of the batch with only m·n/16 threads, each looping over all k.
 */
function splitKProgram(slices: number, m: number, n: number): FlatProgram {
  const program = blockProgram('matmul4_splitk', slices, m, n, true, false, false, `
      let mq = uniforms.m / 4;
      let nq = uniforms.n / 4;
      let aBase = row0 / 4;
      let bBase = col0 / 4;
      let first = item * uniforms.kPerSlice;
      let last = min(first + uniforms.kPerSlice, uniforms.k);
      ${outerProducts('first', 'last')}`, [{ name: 'kPerSlice', type: 'i32' }]);
  program.variableComponents = [4, 4];
  return program;
}

/** At least this many k per slice: shorter runs would spend more on the partial sums than they save. */
export const MIN_K_PER_SLICE = 256;
/** The most slices: one block-sum pass (64 rows) reduces them. */
export const MAX_SLICES = 64;

/**
 * How many slices of k a split-K product takes: enough that blocks × slices reaches `targetThreads`, with at least
 * MIN_K_PER_SLICE k in each slice; 1 (no split) when the blocks alone reach the target or k is short.
 */
export function splitKSlices(blocks: number, k: number, targetThreads: number): number {
  if (blocks >= targetThreads) return 1;
  const wanted = Math.ceil(targetThreads / blocks);
  return Math.max(1, Math.min(wanted, MAX_SLICES, Math.floor(k / MIN_K_PER_SLICE)));
}

/** The k of each slice when k is split into (about) `slices`; the last slice may be shorter. */
export function kPerSlice(k: number, slices: number): number {
  return Math.ceil(k / slices);
}

/** Writes the block's accumulators acc0..acc3 (rows) to C, inside the matrix only, with the bias added. */
function store(bias: boolean): string {
  return `let cBase = item * uniforms.m * uniforms.n;
      ${[0, 1, 2, 3]
        .map(
          (r) => `if (row0 + ${r} < uniforms.m) {
        for (var c = 0; c < ${TILE}; c++) {
          if (col0 + c < uniforms.n) {
            result[cBase + (row0 + ${r}) * uniforms.n + col0 + c] = acc${r}[c]${bias ? ' + bias[col0 + c]' : ''};
          }
        }
      }`,
        )
        .join('\n      ')}`;
}

const MATMUL_UNIFORMS = [
  { name: 'm', type: 'i32' },
  { name: 'k', type: 'i32' },
  { name: 'n', type: 'i32' },
  { name: 'tilesM', type: 'i32' },
  { name: 'tilesN', type: 'i32' },
] as const;

interface Product {
  batch: number;
  m: number;
  k: number;
  n: number;
}

function productShape(a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean): Product {
  const [batch, ar, ac] = a.shape;
  const [bb, br, bc] = b.shape;
  if (batch !== bb) throw new Error(`matmul: batches of ${batch} and ${bb} matrices`);
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const kb = transposeB ? bc : br;
  const n = transposeB ? br : bc;
  if (k !== kb) throw new Error(`matmul: inner sizes ${k} and ${kb} differ`);
  return { batch, m, k, n };
}

/**
 * Threads a split-K product aims for; 0 turns split-K off. Off by default: on SwiftShader it was measured slower at
 * MiniLM width (BENCHMARKS.md, "Kernels at real width"), and no GPU was there to measure it on.
 */
const SPLIT_K_TARGET_THREADS = 0;

/** The raw product on the GPU, not differentiated (the gradients call it); `splitKTarget` as SPLIT_K_TARGET_THREADS. */
export function product(be: WebGPUBackend, a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean, bias?: tf.Tensor, splitKTarget = SPLIT_K_TARGET_THREADS): tf.Tensor3D {
  const { batch, m, k, n } = productShape(a, b, transposeA, transposeB);
  const blocks = Math.ceil(m / TILE) * Math.ceil(n / TILE);
  const slices = batch === 1 && transposeA && !transposeB && !bias && m % 4 === 0 && n % 4 === 0 && splitKTarget > 0 ? splitKSlices(blocks, k, splitKTarget) : 1;
  if (slices > 1) {
    const per = kPerSlice(k, slices);
    const used = Math.ceil(k / per);
    return tf.tidy(() => {
      const partial = runProgram(be, splitKProgram(used, m, n), [a, b], [m, k, n, Math.ceil(m / TILE), Math.ceil(n / TILE), per]);
      return columnSum(be, partial.reshape([used, m * n]) as tf.Tensor2D).reshape([1, m, n]) as tf.Tensor3D;
    });
  }
  const program = vectorMatmulProgram(batch, m, k, n, transposeA, transposeB, bias !== undefined) ?? matmulProgram(batch, m, n, transposeA, transposeB, bias !== undefined);
  return runProgram(be, program, bias ? [a, b, bias] : [a, b], [m, k, n, Math.ceil(m / TILE), Math.ceil(n / TILE)]) as tf.Tensor3D;
}

/** Batched op(A) · op(B) with its gradient; both [batch, rows, cols]. */
function fusedBatchMatMul(be: WebGPUBackend, a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean, bias?: tf.Tensor1D): tf.Tensor3D {
  const op = customOp<tf.Tensor3D>((inputs, save) => {
    const [xIn, yIn, c] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor1D | undefined];
    // Inputs made inside the loss function are disposed before the backward pass unless saved.
    save([xIn, yIn]);
    return {
      value: product(be, xIn, yIn, transposeA, transposeB, c),
      gradFunc: (dy, saved) => {
        const [x, y] = saved as [tf.Tensor3D, tf.Tensor3D];
        let da: tf.Tensor3D;
        let db: tf.Tensor3D;
        if (!transposeA && !transposeB) {
          da = product(be, dy, y, false, true);
          db = product(be, x, dy, true, false);
        } else if (!transposeA && transposeB) {
          da = product(be, dy, y, false, false);
          db = product(be, dy, x, true, false);
        } else if (transposeA && !transposeB) {
          da = product(be, y, dy, false, true);
          db = product(be, x, dy, false, false);
        } else {
          da = product(be, y, dy, true, true);
          db = product(be, dy, x, true, true);
        }
        if (!c) return [da, db];
        const [batch, m, n] = dy.shape;
        return [da, db, columnSum(be, dy.reshape([batch * m, n]))];
      },
    };
  });
  return bias ? op(a, b, bias) : op(a, b);
}

/** x [rows, in] · W (+ bias): W is [in, out], or [out, in] with `transposeW` (Hugging Face's layout). */
export function linear(be: WebGPUBackend | null, x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D | null, transposeW = false): tf.Tensor2D {
  if (!be) {
    const y: tf.Tensor2D = tf.matMul(x, w, false, transposeW);
    return bias ? y.add(bias) : y;
  }
  const [rows, cols] = x.shape;
  const [wr, wc] = w.shape;
  const out = fusedBatchMatMul(be, x.reshape([1, rows, cols]), w.reshape([1, wr, wc]), false, transposeW, bias ?? undefined);
  return out.reshape([rows, transposeW ? wr : wc]);
}

/** Batched products of [..., m, k] by [..., k, n] (with transposes) over equal leading dimensions, as tf.matMul. */
export function batchMatMul(be: WebGPUBackend | null, a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (!be || a.rank < 2 || a.rank !== b.rank) return tf.matMul(a, b, transposeA, transposeB);
  const lead = a.shape.slice(0, -2);
  if (lead.join('x') !== b.shape.slice(0, -2).join('x')) return tf.matMul(a, b, transposeA, transposeB);
  const batch = lead.reduce((x, y) => x * y, 1);
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const out = fusedBatchMatMul(be, a.reshape([batch, ar, ac]), b.reshape([batch, br, bc]), transposeA, transposeB);
  return out.reshape([...lead, transposeA ? ac : ar, transposeB ? br : bc]);
}
