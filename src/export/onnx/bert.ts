/**
 * BERT / DistilBERT rankers as ONNX graphs (opset 17) with the inputs and outputs transformers.js and
 * optimum's exports use, computing what the studio computes (model/layers/bert.ts):
 *
 * - embeddings: word + position (+ token type for BERT), LayerNormalization;
 * - each block: attention with padded keys moved down by 10⁹ before the softmax (the studio's additive mask, so
 *   padding gets exactly zero weight), out projection + residual + LayerNorm, exact-erf GELU feed-forward
 *   (x/2 · (1 + erf(x/√2)), as `transformers`' "gelu"), residual + LayerNorm;
 * - bi-encoder (`dot`): `last_hidden_state` [batch, sequence, hidden] and `sentence_embedding`: [CLS] or the mean
 *   over real tokens (count held at ≥ 1), then the Dense projection and Normalize where the model has them;
 * - cross-encoder (`cat`): `logits` [batch, 1], BERT's classifier over tanh(pooler(h[CLS])), DistilBERT's over
 *   relu(pre_classifier(h[CLS])).
 *
 * Inputs are int64 [batch_size, sequence_length] (dims named, free at run time). DistilBERT takes no
 * `token_type_ids`, as in optimum's exports; transformers.js feeds only the inputs a session declares.
 */
import { CLASSIFIER, EMBEDDING_NAMES, layerNames, POOLER, PRE_CLASSIFIER, type HfModelDescription, type HfWeight } from '../hf-layout';
import { GraphBuilder } from './graph';
import { linear, quantizeSymmetric, type LinearWeights } from './linear';
import { DataType, writeModel, type Dim } from './proto';

export const OPSET = 17;
/** The ONNX IR version of opset 17 (onnx 1.12). */
export const IR_VERSION = 8;
/** The studio's attention mask penalty (model/kernels/attention.ts MASK_PENALTY). */
const MASK_PENALTY = 1e9;

export interface OnnxOptions {
  /** Write the int8 dynamically quantized MatMuls (linear.ts) instead of float32 ones. */
  int8?: boolean;
  producerVersion?: string;
}

const BATCH: Dim = 'batch_size';
const SEQUENCE: Dim = 'sequence_length';

function weightOf(model: HfModelDescription, name: string): HfWeight {
  const w = model.weights.get(name);
  if (!w) throw new Error(`ONNX export: weight ${name} is missing`);
  return w;
}

function linearOf(model: HfModelDescription, prefix: string): LinearWeights {
  return { weight: weightOf(model, `${prefix}.weight`), bias: weightOf(model, `${prefix}.bias`) };
}

function layerNorm(g: GraphBuilder, model: HfModelDescription, x: string, prefix: string): string {
  const scale = g.tensor(`${prefix}.weight`, DataType.FLOAT, [model.dims.hidden], weightOf(model, `${prefix}.weight`).data);
  const bias = g.tensor(`${prefix}.bias`, DataType.FLOAT, [model.dims.hidden], weightOf(model, `${prefix}.bias`).data);
  return g.op('LayerNormalization', [x, scale, bias], { axis: { int: -1 }, epsilon: { float: model.dims.layerNormEps } }, prefix);
}

/**
 * Rows of an embedding table. In the int8 model the table is stored int8 (per tensor, symmetric, as the MatMul
 * weights) and the gathered rows are dequantized: what quantize_dynamic does to a Gather by default, and most of the
 * file's size (a 30,522-token vocabulary at hidden 384 is 47 MB in float32, 12 MB in int8).
 */
function lookup(g: GraphBuilder, model: HfModelDescription, name: string, indices: string, int8: boolean, hint: string): string {
  const w = weightOf(model, `${name}.weight`);
  if (!int8) return g.op('Gather', [g.tensor(`${name}.weight`, DataType.FLOAT, w.shape, w.data), indices], { axis: { int: 0 } }, hint);
  const { values, scale } = quantizeSymmetric(w.data);
  const rows = g.op('Gather', [g.tensor(`${name}.weight_quantized`, DataType.INT8, w.shape, values), indices], { axis: { int: 0 } }, `${hint}_int8`);
  const scaleName = g.tensor(`${name}.weight_scale`, DataType.FLOAT, [], Float32Array.of(scale));
  const zero = g.tensor(`${name}.weight_zero_point`, DataType.INT8, [], Int8Array.of(0));
  return g.op('DequantizeLinear', [rows, scaleName, zero], undefined, hint);
}

function embeddings(g: GraphBuilder, model: HfModelDescription, ids: string, types: string | null, int8: boolean): string {
  const words = lookup(g, model, EMBEDDING_NAMES.word, ids, int8, 'word_embeddings');
  // Positions 0 … L−1, L read from the ids' shape at run time.
  const length = g.op('Gather', [g.op('Shape', [ids]), g.intScalar(1)], { axis: { int: 0 } }, 'sequence_length');
  const positions = g.op('Range', [g.intScalar(0), length, g.intScalar(1)], undefined, 'positions');
  let x = g.op('Add', [words, lookup(g, model, EMBEDDING_NAMES.position, positions, int8, 'position_embeddings')]);
  if (types) x = g.op('Add', [x, lookup(g, model, EMBEDDING_NAMES.tokenType, types, int8, 'token_type_embeddings')]);
  return layerNorm(g, model, x, EMBEDDING_NAMES.norm);
}

function gelu(g: GraphBuilder, x: string): string {
  const erf = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]);
  return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [erf, g.scalar(1)])], undefined, 'gelu');
}

/** States [B, L, hidden] through every block; `additive` is the [B, 1, 1, L] mask term. */
function blocks(g: GraphBuilder, model: HfModelDescription, states: string, additive: string, int8: boolean): string {
  const { hidden, heads, layers } = model.dims;
  const dh = hidden / heads;
  const split = (t: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [t, g.ints([0, 0, heads, dh])])], { perm: { ints: perm } });
  let x = states;
  for (let l = 0; l < layers; l++) {
    const n = layerNames(model.type, l);
    const q = split(linear(g, x, n.query, linearOf(model, n.query), int8), [0, 2, 1, 3]);
    const k = split(linear(g, x, n.key, linearOf(model, n.key), int8), [0, 2, 3, 1]);
    const v = split(linear(g, x, n.value, linearOf(model, n.value), int8), [0, 2, 1, 3]);
    // Same order as the studio: logits · scale, then the mask term, then softmax over keys.
    const logits = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k]), g.scalar(1 / Math.sqrt(dh))]), additive]);
    const probs = g.op('Softmax', [logits], { axis: { int: -1 } }, `layer${l}_attention_probs`);
    const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: { ints: [0, 2, 1, 3] } }), g.ints([0, 0, hidden])], undefined, `layer${l}_context`);
    const attended = layerNorm(g, model, g.op('Add', [linear(g, context, n.attentionOut, linearOf(model, n.attentionOut), int8), x]), n.attentionNorm);
    const inner = gelu(g, linear(g, attended, n.ffnIn, linearOf(model, n.ffnIn), int8));
    x = layerNorm(g, model, g.op('Add', [linear(g, inner, n.ffnOut, linearOf(model, n.ffnOut), int8), attended]), n.outputNorm);
  }
  return x;
}

/** h[CLS]: position 0 of every sequence, [B, L, d] → [B, d]. */
const cls = (g: GraphBuilder, states: string) => g.op('Gather', [states, g.intScalar(0)], { axis: { int: 1 } }, 'cls');

/** sentence-transformers' head as the studio computes it (model/layers/bert.ts sentenceVectors). */
function sentenceEmbedding(g: GraphBuilder, model: HfModelDescription, states: string, maskF: string, int8: boolean): { value: string; size: number } {
  let v: string;
  if (model.pooling === 'cls') v = cls(g, states);
  else {
    const summed = g.op('ReduceSum', [g.op('Mul', [states, g.op('Unsqueeze', [maskF, g.ints([2])])]), g.ints([1])], { keepdims: { int: 0 } });
    const counts = g.op('Max', [g.op('ReduceSum', [maskF, g.ints([1])], { keepdims: { int: 1 } }), g.scalar(1)]);
    v = g.op('Div', [summed, counts], undefined, 'mean_pooled');
  }
  let size = model.dims.hidden;
  if (model.dense) {
    size = model.dense.weight.shape[0] as number;
    if (model.dense.weight.shape[1] !== model.dims.hidden) throw new Error(`ONNX export: the Dense weight has shape [${model.dense.weight.shape.join(', ')}], expected [out, ${model.dims.hidden}]`);
    v = linear(g, v, 'dense', model.dense, int8);
  }
  if (model.normalize) {
    const norm = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [v, v]), g.ints([1])], { keepdims: { int: 1 } })]);
    v = g.op('Div', [v, g.op('Max', [norm, g.scalar(1e-12)])], undefined, 'normalized');
  }
  return { value: v, size };
}

function crossEncoderLogits(g: GraphBuilder, model: HfModelDescription, states: string, int8: boolean): string {
  const first = cls(g, states);
  const features = model.type === 'bert' ? g.op('Tanh', [linear(g, first, POOLER, linearOf(model, POOLER), int8)]) : g.op('Relu', [linear(g, first, PRE_CLASSIFIER, linearOf(model, PRE_CLASSIFIER), int8)]);
  return linear(g, features, CLASSIFIER, linearOf(model, CLASSIFIER), int8);
}

/** The model's ONNX graph, checked and written as a `.onnx` file. */
export function onnxModel(model: HfModelDescription, { int8 = false, producerVersion = '0' }: OnnxOptions = {}): Uint8Array {
  const { hidden, heads } = model.dims;
  if (hidden % heads !== 0) throw new Error(`ONNX export: hidden size ${hidden} is not divisible by ${heads} heads`);
  const g = new GraphBuilder();
  const shape = [BATCH, SEQUENCE];
  const ids = g.input('input_ids', DataType.INT64, shape);
  const mask = g.input('attention_mask', DataType.INT64, shape);
  const types = model.type === 'bert' ? g.input('token_type_ids', DataType.INT64, shape) : null;
  const maskF = g.op('Cast', [mask], { to: { int: DataType.FLOAT } }, 'mask_float');
  // (mask − 1) · 10⁹ as [B, 1, 1, L]: 0 for a real key, −10⁹ for padding, broadcast over heads and queries.
  const additive = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [maskF, g.scalar(1)]), g.scalar(MASK_PENALTY)]), g.ints([1, 2])], undefined, 'attention_bias');
  const states = blocks(g, model, embeddings(g, model, ids, types, int8), additive, int8);
  if (model.kind === 'bi-encoder') {
    g.output(states, 'last_hidden_state', DataType.FLOAT, [BATCH, SEQUENCE, hidden]);
    const { value, size } = sentenceEmbedding(g, model, states, maskF, int8);
    g.output(value, 'sentence_embedding', DataType.FLOAT, [BATCH, size]);
  } else {
    g.output(crossEncoderLogits(g, model, states, int8), 'logits', DataType.FLOAT, [BATCH, 1]);
  }
  return writeModel({
    irVersion: IR_VERSION,
    opsets: [{ domain: '', version: OPSET }],
    producerName: 'margin-studio',
    producerVersion,
    graph: { name: `${model.type}_${model.kind === 'bi-encoder' ? 'dot' : 'cat'}${int8 ? '_int8' : ''}`, nodes: g.nodes, initializers: g.initializers, inputs: g.inputs, outputs: g.outputs },
  });
}
