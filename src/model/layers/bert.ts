/**
 * BERT and DistilBERT encoders computed as `transformers` computes them in eval mode: word + position (+ token
 * type) embeddings and a LayerNorm, then post-LayerNorm blocks (attention, add, LayerNorm; feed-forward with exact
 * erf GELU, add, LayerNorm), padded keys masked out of attention. The weights keep the library's names and its
 * `[out, in]` layout (x · Wᵀ is `matMul(x, W, false, true)`), so a checkpoint loads and exports by straight copy.
 *
 * `tf.erf` has a gradient in tfjs-core 4.22 and kernels on the CPU and WebGPU backends; both evaluate Abramowitz &
 * Stegun 7.1.26, whose absolute error is at most 1.5e-7, far below float32 noise in a LayerNorm'd activation (the
 * fused GELU kernel uses the same formula). Linear layers, LayerNorm, attention, GELU and the word embeddings go
 * through the kernel set the caller passes (../kernels): fused on WebGPU, tfjs's ops elsewhere.
 */
import * as tf from '../tf';
import { CLASSIFIER, EMBEDDING_NAMES, layerNames, POOLER, PRE_CLASSIFIER, type HfDense, type HfDims, type HfModelType, type HfPooling, type HfWeight } from '../../export/hf-layout';
import type { ParamSet } from './params';
import { readCopy, type Kernels } from '../kernels';

export interface BertSpec {
  type: HfModelType;
  dims: HfDims;
}

/**
 * One batch: token ids [n, L] int32 with `[CLS]`/`[SEP]` in place and padding 0 at the end, the float32 mask
 * [n, L] (1 real, 0 padding; built on the CPU), and for BERT pairs the int32 token types [n, L].
 */
export interface BertInputs {
  ids: tf.Tensor2D;
  mask: tf.Tensor2D;
  types?: tf.Tensor2D;
  /** The ids and token types on the CPU, row-major (the fused embedding gradient sorts them there). */
  hostIds?: Int32Array;
  hostTypes?: Int32Array;
}

/** Where a sentence-transformers Dense projection lives in the ParamSet. */
export const DENSE_WEIGHT = 'dense.linear.weight';
export const DENSE_BIAS = 'dense.linear.bias';

/** Puts a checkpoint's weights (and its Dense projection, if any) into `params` under their canonical names. */
export function loadPretrainedParams(params: ParamSet, weights: ReadonlyMap<string, HfWeight>, dense: HfDense | null = null): void {
  for (const [name, w] of weights) params.fromValues(name, w.shape, w.data);
  if (dense) {
    params.fromValues(DENSE_WEIGHT, dense.weight.shape, dense.weight.data);
    if (dense.bias) params.fromValues(DENSE_BIAS, dense.bias.shape, dense.bias.data);
  }
}

/** Tensors from a CPU-built batch (../pretrained/sequences.ts); DistilBERT takes no token types. */
export function bertInputs(batch: { rows: number; length: number; ids: Int32Array; mask: Float32Array; types: Int32Array }, withTypes = true): BertInputs {
  const shape: [number, number] = [batch.rows, batch.length];
  const inputs: BertInputs = { ids: tf.tensor2d(batch.ids, shape, 'int32'), mask: tf.tensor2d(batch.mask, shape, 'float32'), hostIds: batch.ids };
  if (withTypes) {
    inputs.types = tf.tensor2d(batch.types, shape, 'int32');
    inputs.hostTypes = batch.types;
  }
  return inputs;
}

export function disposeInputs(inputs: BertInputs): void {
  tf.dispose([inputs.ids, inputs.mask, ...(inputs.types ? [inputs.types] : [])]);
}

/** x [rows, in] · Wᵀ + b with W stored [out, in]. */
function linear(k: Kernels, params: ParamSet, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return k.linear(x, params.get(`${name}.weight`) as tf.Tensor2D, params.get(`${name}.bias`) as tf.Tensor1D, true);
}

function layerNorm(k: Kernels, params: ParamSet, name: string, x: tf.Tensor, eps: number): tf.Tensor {
  return k.layerNorm(x, params.get(`${name}.weight`), params.get(`${name}.bias`), eps);
}

/**
 * Embeddings [n, L, hidden] of a batch whose first position sits at `offset` in the position table (PreTTR's passage
 * half starts after the query's room).
 */
export function bertEmbed(k: Kernels, params: ParamSet, spec: BertSpec, { ids, types, hostIds, hostTypes }: BertInputs, offset = 0): tf.Tensor3D {
  const [n, length] = ids.shape;
  const d = spec.dims.hidden;
  if (offset + length > spec.dims.maxPositions) throw new RangeError(`sequence length ${offset + length} is over the model's ${spec.dims.maxPositions} positions`);
  let x: tf.Tensor = k.addBroadcast(k.embeddingLookup(params.get(`${EMBEDDING_NAMES.word}.weight`) as tf.Tensor2D, ids, hostIds), params.get(`${EMBEDDING_NAMES.position}.weight`).slice([offset, 0], [length, d]));
  if (spec.type === 'bert') {
    const table = params.get(`${EMBEDDING_NAMES.tokenType}.weight`);
    // Without token types every position is type 0 (what `transformers` assumes): one row, broadcast.
    x = types ? x.add(k.embeddingLookup(table as tf.Tensor2D, types, hostTypes)) : k.addBroadcast(x, table.slice([0, 0], [1, d]));
  }
  return layerNorm(k, params, EMBEDDING_NAMES.norm, x, spec.dims.layerNormEps).reshape([n, length, d]);
}

/** Blocks `from` to `to - 1` over states [n, L, hidden], padded keys (mask 0) left out of attention. */
export function bertLayers(kernels: Kernels, params: ParamSet, spec: BertSpec, states: tf.Tensor3D, mask: tf.Tensor2D, from: number, to: number): tf.Tensor3D {
  const [n, length] = mask.shape;
  const { hidden: d, heads: h, layerNormEps: eps } = spec.dims;
  const dh = d / h;
  const heads = (t: tf.Tensor2D) => t.reshape([n, length, h, dh]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  let x = states.reshape([n * length, d]) as tf.Tensor2D;
  for (let l = from; l < to; l++) {
    const names = layerNames(spec.type, l);
    const q = heads(linear(kernels, params, names.query, x));
    const k = heads(linear(kernels, params, names.key, x));
    const v = heads(linear(kernels, params, names.value, x));
    // Padded keys (mask 0) get no attention: their logits are moved down by 10⁹, exp() of which is 0 in float32.
    const probs = kernels.attentionProbs(kernels.batchMatMul(q, k, false, true) as tf.Tensor4D, mask, 1 / Math.sqrt(dh));
    const context = kernels.batchMatMul(probs, v).transpose([0, 2, 1, 3]).reshape([n * length, d]) as tf.Tensor2D;
    const attended = layerNorm(kernels, params, names.attentionNorm, linear(kernels, params, names.attentionOut, context).add(x), eps) as tf.Tensor2D;
    // GELU as `transformers`' "gelu": x · Φ(x) = x/2 · (1 + erf(x/√2)).
    const inner = kernels.gelu(linear(kernels, params, names.ffnIn, attended)) as tf.Tensor2D;
    x = layerNorm(kernels, params, names.outputNorm, linear(kernels, params, names.ffnOut, inner).add(attended), eps) as tf.Tensor2D;
  }
  return x.reshape([n, length, d]);
}

/** The last hidden state [n, L, hidden]; padded positions get vectors too, which poolings leave out. */
export function bertEncode(k: Kernels, params: ParamSet, spec: BertSpec, inputs: BertInputs): tf.Tensor3D {
  return bertLayers(k, params, spec, bertEmbed(k, params, spec, inputs), inputs.mask, 0, spec.dims.layers);
}

/** Position 0 of every sequence, the `[CLS]` vector: [n, L, d] -> [n, d]. */
export function clsVectors(states: tf.Tensor3D): tf.Tensor2D {
  const [n, , d] = states.shape;
  return states.slice([0, 0, 0], [n, 1, d]).reshape([n, d]);
}

/** sentence-transformers' pooling: the `[CLS]` vector, or the mean over real tokens ([CLS] and [SEP] included). */
export function poolVectors(k: Kernels, states: tf.Tensor3D, mask: tf.Tensor2D, pooling: HfPooling): tf.Tensor2D {
  return pooling === 'cls' ? clsVectors(states) : k.maskedMeanPool(states, mask);
}

/** Unit length, as sentence-transformers' Normalize (torch's `normalize`, norms below 1e-12 held at 1e-12). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return x.div(x.square().sum(1, true).sqrt().maximum(1e-12));
}

/** The bi-encoder's vector: pooling, then the Dense projection if the model has one, then Normalize if it has one. */
export function sentenceVectors(k: Kernels, params: ParamSet, states: tf.Tensor3D, mask: tf.Tensor2D, head: { pooling: HfPooling; normalize: boolean }): tf.Tensor2D {
  let v = poolVectors(k, states, mask, head.pooling);
  if (params.vars.has(DENSE_WEIGHT)) {
    v = tf.matMul(v, params.get(DENSE_WEIGHT), false, true);
    if (params.vars.has(DENSE_BIAS)) v = v.add(params.get(DENSE_BIAS));
  }
  return head.normalize ? l2Normalize(v) : v;
}

/** BERT's pooler: tanh(dense(h[CLS])). */
export function bertPooler(k: Kernels, params: ParamSet, states: tf.Tensor3D): tf.Tensor2D {
  return tf.tanh(linear(k, params, POOLER, clsVectors(states)));
}

/**
 * The one logit of a `*ForSequenceClassification` cross-encoder, [n]: BERT's classifier over the pooler,
 * DistilBERT's classifier over relu(pre_classifier(h[CLS])).
 */
export function crossEncoderLogits(k: Kernels, params: ParamSet, spec: BertSpec, states: tf.Tensor3D): tf.Tensor1D {
  const features = spec.type === 'bert' ? bertPooler(k, params, states) : tf.relu(linear(k, params, PRE_CLASSIFIER, clsVectors(states)));
  return linear(k, params, CLASSIFIER, features).reshape([-1]);
}

/** The current values of named weights, for export. GPU→CPU sync: one read per weight, at export time only. */
export async function readWeights(params: ParamSet, names: Iterable<string>): Promise<Map<string, HfWeight>> {
  const out = new Map<string, HfWeight>();
  for (const name of names) {
    const v = params.get(name);
    out.set(name, { shape: [...v.shape], data: await readCopy(v) });
  }
  return out;
}
