/** A pre-norm transformer encoder over padded token batches, run with the kernel set the caller passes. */
import * as tf from '../tf';
import type { ParamSet } from './params';
import type { Kernels } from '../kernels';

export interface EncoderDims {
  vocabSize: number;
  maxLength: number;
  hidden: number;
  heads: number;
  ffn: number;
  layers: number;
}

const INIT_STD = 0.02;
const LN_EPS = 1e-5;

export function defineEncoder(params: ParamSet, prefix: string, dims: EncoderDims): void {
  if (dims.hidden % dims.heads !== 0) throw new Error(`hidden size ${dims.hidden} is not divisible by ${dims.heads} heads`);
  const d = dims.hidden;
  // Embeddings start larger than the other weights so the first layer norm sees signal, not noise.
  params.normal(`${prefix}/tok_emb`, [dims.vocabSize, d], 0.1);
  params.normal(`${prefix}/pos_emb`, [dims.maxLength, d], INIT_STD);
  for (let l = 0; l < dims.layers; l++) {
    const p = `${prefix}/layer${l}`;
    params.constant(`${p}/ln1_g`, [d], 1);
    params.constant(`${p}/ln1_b`, [d], 0);
    params.normal(`${p}/qkv_w`, [d, 3 * d], INIT_STD);
    params.constant(`${p}/qkv_b`, [3 * d], 0);
    params.normal(`${p}/out_w`, [d, d], INIT_STD);
    params.constant(`${p}/out_b`, [d], 0);
    params.constant(`${p}/ln2_g`, [d], 1);
    params.constant(`${p}/ln2_b`, [d], 0);
    params.normal(`${p}/ffn1_w`, [d, dims.ffn], INIT_STD);
    params.constant(`${p}/ffn1_b`, [dims.ffn], 0);
    params.normal(`${p}/ffn2_w`, [dims.ffn, d], INIT_STD);
    params.constant(`${p}/ffn2_b`, [d], 0);
  }
  params.constant(`${prefix}/lnf_g`, [d], 1);
  params.constant(`${prefix}/lnf_b`, [d], 0);
}

export function layerNorm(k: Kernels, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  return k.layerNorm(x, gamma, beta, LN_EPS);
}

/**
 * Token ids [n, length] with their padding mask (float, 1 for a real token, 0 for padding).
 *
 * The mask is built on the CPU with the ids rather than derived on the device: on tfjs's WebGPU backend a cast of
 * a bool or int32 tensor to float32 reuses the integer buffer, and later kernels read it with the wrong type
 * (invalid shaders, zeros, NaN). Keeping every device tensor in its own dtype sidesteps that bug.
 */
export interface TokenBatch {
  ids: tf.Tensor2D;
  mask: tf.Tensor2D;
  /**
   * The same ids on the CPU, [rows · length] row-major. Students that must rebuild sequences before the device sees
   * them (pretrained BERT: `[CLS] q [SEP] p [SEP]` with the padding at the end) read them here.
   */
  host?: HostTokens;
}

/**
 * A padded id matrix on the CPU, row-major. A batch of single texts has each row's tokens from its start, then zeros
 * (stored tokens are never 0), which `hostRows` relies on; a joined sequence (joinSequence) has padding between parts.
 */
export interface HostTokens {
  ids: Int32Array;
  rows: number;
  length: number;
}

/** The real tokens of each row of a padded id matrix. */
export function hostRows(host: HostTokens): Int32Array[] {
  const out: Int32Array[] = [];
  for (let r = 0; r < host.rows; r++) {
    const row = host.ids.subarray(r * host.length, (r + 1) * host.length);
    const end = row.indexOf(0);
    out.push(end < 0 ? row : row.subarray(0, end));
  }
  return out;
}

/** The padding mask of a padded id matrix (0 = padding). */
export function paddingMask(ids: Int32Array): Float32Array {
  return Float32Array.from(ids, (id) => (id === 0 ? 0 : 1));
}

export function tokenBatch(ids: Int32Array, rows: number, length: number): TokenBatch {
  return { ids: tf.tensor2d(ids, [rows, length], 'int32'), mask: tf.tensor2d(paddingMask(ids), [rows, length], 'float32'), host: { ids, rows, length } };
}

/**
 * Token plus position embeddings, the positions starting at `offset`: [n, length] ids -> [n, length, hidden]. With
 * the ids on the CPU too (`host`), the fused kernels sort them there for the table's gradient.
 */
export function embedTokens(k: Kernels, params: ParamSet, prefix: string, dims: EncoderDims, ids: tf.Tensor2D, offset = 0, host?: HostTokens): tf.Tensor3D {
  const length = ids.shape[1];
  if (offset + length > dims.maxLength) throw new Error(`sequence length ${offset + length} exceeds the encoder's maximum ${dims.maxLength}`);
  const positions = params.get(`${prefix}/pos_emb`).slice([offset, 0], [length, dims.hidden]);
  return k.addBroadcast(k.embeddingLookup(params.get(`${prefix}/tok_emb`) as tf.Tensor2D, ids, host?.ids), positions) as tf.Tensor3D;
}

/**
 * Transformer layers `from` to `to - 1` over [n, length, hidden] states. Padding keys are masked out of
 * attention; padded positions still get outputs, which poolings and interactions ignore.
 */
export function runLayers(kernels: Kernels, params: ParamSet, prefix: string, dims: EncoderDims, states: tf.Tensor3D, mask: tf.Tensor2D, from: number, to: number): tf.Tensor3D {
  const [n, length] = mask.shape;
  const d = dims.hidden;
  const h = dims.heads;
  const dh = d / h;
  let x: tf.Tensor = states;
  const scale = 1 / Math.sqrt(dh);
  const weight = (name: string) => params.get(name) as tf.Tensor2D;
  const bias = (name: string) => params.get(name) as tf.Tensor1D;

  for (let l = from; l < to; l++) {
    const p = `${prefix}/layer${l}`;
    const a = layerNorm(kernels, x, params.get(`${p}/ln1_g`), params.get(`${p}/ln1_b`)).reshape([n * length, d]) as tf.Tensor2D;
    const qkv = kernels.linear(a, weight(`${p}/qkv_w`), bias(`${p}/qkv_b`));
    const [q, k, v] = tf.split(qkv, 3, 1).map((t) => t.reshape([n, length, h, dh]).transpose([0, 2, 1, 3])) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    // Padding keys get no attention: their logits are moved down by 10⁹ before the softmax.
    const attn = kernels.attentionProbs(kernels.batchMatMul(q, k, false, true) as tf.Tensor4D, mask, scale);
    const mixed = kernels.batchMatMul(attn, v).transpose([0, 2, 1, 3]).reshape([n * length, d]) as tf.Tensor2D;
    x = x.add(kernels.linear(mixed, weight(`${p}/out_w`), bias(`${p}/out_b`)).reshape([n, length, d]));

    const b = layerNorm(kernels, x, params.get(`${p}/ln2_g`), params.get(`${p}/ln2_b`)).reshape([n * length, d]) as tf.Tensor2D;
    const hidden = tf.relu(kernels.linear(b, weight(`${p}/ffn1_w`), bias(`${p}/ffn1_b`)));
    x = x.add(kernels.linear(hidden, weight(`${p}/ffn2_w`), bias(`${p}/ffn2_b`)).reshape([n, length, d]));
  }
  return x as tf.Tensor3D;
}

export function finalNorm(k: Kernels, params: ParamSet, prefix: string, states: tf.Tensor3D): tf.Tensor3D {
  return layerNorm(k, states, params.get(`${prefix}/lnf_g`), params.get(`${prefix}/lnf_b`)) as tf.Tensor3D;
}

/** Encodes a token batch into vectors [n, length, hidden] through all of the encoder's layers. */
export function encode(k: Kernels, params: ParamSet, prefix: string, dims: EncoderDims, { ids, mask, host }: TokenBatch): tf.Tensor3D {
  return finalNorm(k, params, prefix, runLayers(k, params, prefix, dims, embedTokens(k, params, prefix, dims, ids, 0, host), mask, 0, dims.layers));
}
