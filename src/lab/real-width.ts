/**
 * The fused kernels at the widths of real checkpoints, for e2e/real-width.spec.ts: a DistilBERT-wide encoder's
 * forward pass on WebGPU (fused) against tfjs's CPU backend, and the programs whose thread counts pass WebGPU's
 * 65,535 workgroups per dimension at those widths (AdamW and the embedding gradient over a 30,522-row table, GELU
 * over an FFN activation), fused against stock on WebGPU. Every weight is drawn here from a seed.
 */
import * as tf from '../model/tf';
import { maxRelativeError } from './errors';
import { bertEncode, type BertInputs, type BertSpec } from '../model/layers/bert';
import { ParamSet } from '../model/layers/params';
import { weightSpecs } from '../export/hf-layout';
import { FUSED_KERNELS, fusedDispatches, kernelsFor } from '../model/kernels';
import { product } from '../model/kernels/matmul';
import { selectBackend } from '../train/backend';
import { Rng } from '../util/random';
import { compareAdam, compareOp, randomTensor, type KernelCheck } from './kernel-check';

export interface EncoderParity {
  /** max |webgpu − cpu| over the last hidden state. */
  maxAbsDiff: number;
  /** The same over max |cpu|. */
  relative: number;
  maxAbsCpu: number;
  shape: number[];
  fusedPrograms: number;
  seconds: { cpu: number; webgpu: number };
}

export interface EncoderShape {
  hidden: number;
  heads: number;
  ffn: number;
  layers: number;
  vocabSize: number;
  batch: number;
  length: number;
  seed: number;
}

/** Every weight of a DistilBERT bi-encoder of these sizes, drawn once: linear weights N(0, 0.02²), as BERT starts. */
function drawWeights(dims: BertSpec['dims'], rng: Rng): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const spec of weightSpecs('distilbert', 'bi-encoder', dims)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNormGain = /(LayerNorm|layer_norm)\.weight$/.test(spec.name);
    const std = spec.name.startsWith('embeddings.') && !isNormGain ? 0.5 : spec.name.endsWith('.bias') ? 0.02 : isNormGain ? 0.1 : 0.02;
    for (let i = 0; i < size; i++) data[i] = (isNormGain ? 1 : 0) + rng.normal() * std;
    out.set(spec.name, { shape: spec.shape, data });
  }
  return out;
}

/** The last hidden state of the encoder on `backend` (fused kernels on WebGPU, stock ops elsewhere). */
async function encodeOn(backend: 'cpu' | 'webgpu', spec: BertSpec, weights: Map<string, { shape: number[]; data: Float32Array }>, ids: Int32Array, mask: Float32Array, shape: [number, number]): Promise<Float32Array> {
  await selectBackend(backend);
  const kernels = kernelsFor(backend === 'webgpu' ? 'fused' : 'stock');
  const params = new ParamSet(new Rng(0));
  for (const [name, w] of weights) params.fromValues(name, w.shape, w.data);
  const inputs: BertInputs = { ids: tf.tensor2d(ids, shape, 'int32'), mask: tf.tensor2d(mask, shape, 'float32'), hostIds: ids };
  try {
    const out = tf.tidy(() => bertEncode(kernels, params, spec, inputs));
    // GPU→CPU sync: the value compared.
    const values = Float32Array.from(await out.data());
    out.dispose();
    return values;
  } finally {
    tf.dispose([inputs.ids, inputs.mask, ...params.vars.values()]);
  }
}

/**
 * A DistilBERT-shaped encoder (embeddings, then `layers` blocks) over `batch` sequences of `length` tokens, the last
 * sequence padded after two thirds of its length, on the CPU backend and on WebGPU with the fused kernels.
 */
export async function encoderParity(shape: EncoderShape): Promise<EncoderParity> {
  const { hidden, heads, ffn, layers, vocabSize, batch, length, seed } = shape;
  const spec: BertSpec = { type: 'distilbert', dims: { layers, hidden, heads, ffn, vocabSize, maxPositions: Math.max(512, length), typeVocabSize: 0, layerNormEps: 1e-12 } };
  const rng = new Rng(seed);
  const weights = drawWeights(spec.dims, rng);
  const ids = new Int32Array(batch * length);
  const mask = new Float32Array(batch * length);
  for (let r = 0; r < batch; r++) {
    const real = r === batch - 1 && batch > 1 ? Math.ceil((2 * length) / 3) : length;
    for (let i = 0; i < real; i++) {
      ids[r * length + i] = 1 + rng.int(vocabSize - 1);
      mask[r * length + i] = 1;
    }
  }
  let started = performance.now();
  const cpu = await encodeOn('cpu', spec, weights, ids, mask, [batch, length]);
  const cpuSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const before = fusedDispatches();
  const gpu = await encodeOn('webgpu', spec, weights, ids, mask, [batch, length]);
  const fusedPrograms = fusedDispatches() - before;
  const webgpuSeconds = (performance.now() - started) / 1000;
  if (cpu.length !== gpu.length) throw new Error(`encoderParity: ${cpu.length} values on the CPU, ${gpu.length} on WebGPU`);
  let maxAbsDiff = 0;
  let maxAbsCpu = 0;
  for (let i = 0; i < cpu.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs((gpu[i] as number) - (cpu[i] as number)));
    maxAbsCpu = Math.max(maxAbsCpu, Math.abs(cpu[i] as number));
  }
  return { maxAbsDiff, relative: maxAbsDiff / Math.max(maxAbsCpu, 1e-30), maxAbsCpu, shape: [batch, length, hidden], fusedPrograms, seconds: { cpu: cpuSeconds, webgpu: webgpuSeconds } };
}

/** The split-K weight gradient Xᵀ·dY against tfjs's matmul, values only (the product is not differentiated). */
async function compareSplitK(rng: Rng, tokens: number, width: number, target: number): Promise<KernelCheck> {
  const be = FUSED_KERNELS.fusedBackend();
  if (!be) throw new Error('compareSplitK needs WebGPU with the fused kernels');
  const x = randomTensor(rng, [1, tokens, width]) as tf.Tensor3D;
  const dy = randomTensor(rng, [1, tokens, width]) as tf.Tensor3D;
  const before = fusedDispatches();
  const fused = product(be, x, dy, true, false, undefined, target);
  const fusedPrograms = fusedDispatches() - before;
  const stock = tf.matMul(x, dy, true, false);
  const error = await maxRelativeError(fused, stock);
  tf.dispose([x, dy, fused, stock]);
  return { name: `split-K Xᵀ·dY [${tokens}, ${width}]ᵀ·[${tokens}, ${width}] to ${target} threads`, errors: [{ tensor: 'output', error }], worst: error, fusedPrograms };
}

/**
 * Programs past 65,535 workgroups of 64 (4,194,240 threads) in one dimension, fused against stock on WebGPU, and
 * the split-K product (`fusedPrograms` 2 there: its partial products and the column sum).
 */
export async function largeDispatchChecks(seed = 5): Promise<{ backend: string; checks: KernelCheck[] }> {
  await selectBackend('webgpu');
  const rng = new Rng(seed);
  const checks: KernelCheck[] = [];
  // 4,300,000 threads: 67,188 workgroups.
  checks.push(await compareOp('gelu [4300000] (67,188 workgroups)', (k, x) => k.gelu(x as tf.Tensor), [randomTensor(rng, [4_300_000], 3)], ['x'], rng));
  // The gradient program has a thread per table element: 30,522 × 384 = 11,720,448, 183,132 workgroups.
  const ids = Int32Array.from({ length: 2 * 40 }, (_, i) => (i % 40 > 30 ? 0 : 1 + rng.int(30_521)));
  const idTensor = tf.tensor2d(ids, [2, 40], 'int32');
  checks.push(await compareOp('embeddingLookup [30522, 384] by [2, 40] ids (183,132 workgroups)', (k, t) => k.embeddingLookup(t as tf.Tensor2D, idTensor, ids), [randomTensor(rng, [30_522, 384], 0.1)], ['table'], rng));
  idTensor.dispose();
  // Each AdamW program over the [30522, 384] weight: 183,132 workgroups.
  checks.push(await compareAdam(rng, { inputs: 30_522, outputs: 384, steps: 2, fit: 'elementwise' }));
  checks.push(await compareSplitK(rng, 2048, 384, 36_864));
  return { backend: tf.getBackend(), checks };
}
