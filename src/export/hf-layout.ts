/**
 * How Hugging Face `transformers` lays out a BERT or DistilBERT checkpoint: the tensor names each class saves, their
 * shapes, and the names of the classes. One table serves the folder reader (model/pretrained), the tfjs encoder
 * (model/layers/bert.ts) and the folder writer (hf.ts), so a name can never be spelt two ways. No tfjs here.
 *
 * Weights are kept under "canonical" names: the base model's own names (what `BertModel` / `DistilBertModel` save,
 * e.g. `encoder.layer.0.attention.self.query.weight`) plus the cross-encoder heads under the names the
 * `*ForSequenceClassification` classes give them (`classifier.weight`, DistilBERT's `pre_classifier.weight`).
 * A cross-encoder's file prefixes the base names with `bert.` / `distilbert.`; nothing else is renamed, and
 * linear weights stay `[out, in]` as PyTorch stores them.
 */

export type HfModelType = 'bert' | 'distilbert';
export type HfModelKind = 'bi-encoder' | 'cross-encoder';
export type HfPooling = 'cls' | 'mean';

export interface HfDims {
  layers: number;
  hidden: number;
  heads: number;
  /** The feed-forward ("intermediate") size. */
  ffn: number;
  vocabSize: number;
  maxPositions: number;
  /** Token-type (segment) embeddings; 0 for DistilBERT, which has none. */
  typeVocabSize: number;
  layerNormEps: number;
}

export interface HfWeight {
  shape: number[];
  data: Float32Array;
}

/** A sentence-transformers `Dense` module with identity activation: y = x · weightᵀ + bias, weight `[out, in]`. */
export interface HfDense {
  weight: HfWeight;
  bias: HfWeight | null;
}

/** Everything needed to write a model folder that `transformers` and `sentence-transformers` load. */
export interface HfModelDescription {
  type: HfModelType;
  kind: HfModelKind;
  dims: HfDims;
  /** Canonical name -> weight (see the file comment). */
  weights: ReadonlyMap<string, HfWeight>;
  /** How a bi-encoder turns token vectors into one vector (cross-encoders read [CLS] through their head). */
  pooling: HfPooling;
  dense: HfDense | null;
  /** Whether a sentence-transformers `Normalize` module follows (unit-length vectors). */
  normalize: boolean;
  vocab: readonly string[];
  lowercase: boolean;
  /** sentence-transformers' `max_seq_length`, tokens including [CLS] and [SEP]; null where none was given. */
  maxSeqLength: number | null;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  /** A weight the model works without (BERT's pooler in a bi-encoder, which never reads it). */
  optional?: boolean;
}

/** The per-layer modules of one transformer block; each is a name prefix for `.weight` and `.bias`. */
export interface LayerNames {
  query: string;
  key: string;
  value: string;
  attentionOut: string;
  attentionNorm: string;
  ffnIn: string;
  ffnOut: string;
  outputNorm: string;
}

export const EMBEDDING_NAMES = {
  word: 'embeddings.word_embeddings',
  position: 'embeddings.position_embeddings',
  tokenType: 'embeddings.token_type_embeddings',
  norm: 'embeddings.LayerNorm',
} as const;

export const POOLER = 'pooler.dense';
export const CLASSIFIER = 'classifier';
export const PRE_CLASSIFIER = 'pre_classifier';

export function layerNames(type: HfModelType, layer: number): LayerNames {
  if (type === 'bert') {
    const p = `encoder.layer.${layer}`;
    return {
      query: `${p}.attention.self.query`,
      key: `${p}.attention.self.key`,
      value: `${p}.attention.self.value`,
      attentionOut: `${p}.attention.output.dense`,
      attentionNorm: `${p}.attention.output.LayerNorm`,
      ffnIn: `${p}.intermediate.dense`,
      ffnOut: `${p}.output.dense`,
      outputNorm: `${p}.output.LayerNorm`,
    };
  }
  const p = `transformer.layer.${layer}`;
  return {
    query: `${p}.attention.q_lin`,
    key: `${p}.attention.k_lin`,
    value: `${p}.attention.v_lin`,
    attentionOut: `${p}.attention.out_lin`,
    attentionNorm: `${p}.sa_layer_norm`,
    ffnIn: `${p}.ffn.lin1`,
    ffnOut: `${p}.ffn.lin2`,
    outputNorm: `${p}.output_layer_norm`,
  };
}

export function architectureName(type: HfModelType, kind: HfModelKind): string {
  const base = type === 'bert' ? 'Bert' : 'DistilBert';
  return kind === 'bi-encoder' ? `${base}Model` : `${base}ForSequenceClassification`;
}

/** The prefix a `*ForSequenceClassification` (or masked-LM) checkpoint puts before the base model's names. */
export function baseModelPrefix(type: HfModelType): string {
  return type === 'bert' ? 'bert.' : 'distilbert.';
}

function linear(name: string, out: number, inputs: number): WeightSpec[] {
  return [
    { name: `${name}.weight`, shape: [out, inputs] },
    { name: `${name}.bias`, shape: [out] },
  ];
}

function norm(name: string, size: number): WeightSpec[] {
  return [
    { name: `${name}.weight`, shape: [size] },
    { name: `${name}.bias`, shape: [size] },
  ];
}

/** Every weight of a model, canonical names in the order `transformers` saves them. */
export function weightSpecs(type: HfModelType, kind: HfModelKind, dims: HfDims): WeightSpec[] {
  const d = dims.hidden;
  const specs: WeightSpec[] = [
    { name: `${EMBEDDING_NAMES.word}.weight`, shape: [dims.vocabSize, d] },
    { name: `${EMBEDDING_NAMES.position}.weight`, shape: [dims.maxPositions, d] },
  ];
  if (type === 'bert') specs.push({ name: `${EMBEDDING_NAMES.tokenType}.weight`, shape: [dims.typeVocabSize, d] });
  specs.push(...norm(EMBEDDING_NAMES.norm, d));
  for (let l = 0; l < dims.layers; l++) {
    const n = layerNames(type, l);
    specs.push(...linear(n.query, d, d), ...linear(n.key, d, d), ...linear(n.value, d, d), ...linear(n.attentionOut, d, d));
    specs.push(...norm(n.attentionNorm, d), ...linear(n.ffnIn, dims.ffn, d), ...linear(n.ffnOut, d, dims.ffn), ...norm(n.outputNorm, d));
  }
  if (type === 'bert') specs.push(...linear(POOLER, d, d).map((s) => (kind === 'bi-encoder' ? { ...s, optional: true } : s)));
  if (kind === 'cross-encoder') {
    if (type === 'distilbert') specs.push(...linear(PRE_CLASSIFIER, d, d));
    specs.push(...linear(CLASSIFIER, 1, d));
  }
  return specs;
}

function isHeadWeight(name: string): boolean {
  return name.startsWith(`${CLASSIFIER}.`) || name.startsWith(`${PRE_CLASSIFIER}.`);
}

/** The name a canonical weight has in the model's `model.safetensors`. */
export function fileTensorName(type: HfModelType, kind: HfModelKind, canonical: string): string {
  return kind === 'cross-encoder' && !isHeadWeight(canonical) ? baseModelPrefix(type) + canonical : canonical;
}

/**
 * The canonical name of a tensor as some checkpoint spells it: without the base-model prefix, and with the
 * `gamma` / `beta` of checkpoints converted from TensorFlow read as LayerNorm's `weight` / `bias` (as `transformers`
 * itself renames them when loading).
 */
export function canonicalTensorName(type: HfModelType, stored: string): string {
  const prefix = baseModelPrefix(type);
  const name = stored.startsWith(prefix) ? stored.slice(prefix.length) : stored;
  return name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
}
