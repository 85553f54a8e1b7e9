/**
 * Reads a Hugging Face `config.json` of a BERT or DistilBERT checkpoint into the sizes the encoder needs, refusing
 * anything the studio's encoder would compute differently from `transformers` (another model type, another
 * activation, relative position embeddings, more than one output logit). Missing fields take the defaults
 * `transformers` itself would use, so a config means the same model here and there.
 */
import type { HfDims, HfModelKind, HfModelType } from '../../export/hf-layout';

export class PretrainedFolderError extends Error {
  override name = 'PretrainedFolderError';
}

export function refuse(file: string, why: string): never {
  throw new PretrainedFolderError(`${file}: ${why}`);
}

export interface ModelConfig {
  type: HfModelType;
  kind: HfModelKind;
  /** The class named in `architectures` (or the base model's, when none is named). */
  architecture: string;
  dims: HfDims;
}

export const SUPPORTED_MODEL_TYPES: readonly HfModelType[] = ['bert', 'distilbert'];

/**
 * Classes whose checkpoints hold a base model we can start from, and what the studio makes of them. Masked-LM and
 * pre-training checkpoints (how bert-base-uncased and distilbert-base-uncased are published) start a bi-encoder:
 * their language-model heads are left out.
 */
const ARCHITECTURES: Record<HfModelType, Record<string, HfModelKind>> = {
  bert: { BertModel: 'bi-encoder', BertForMaskedLM: 'bi-encoder', BertForPreTraining: 'bi-encoder', BertForSequenceClassification: 'cross-encoder' },
  distilbert: { DistilBertModel: 'bi-encoder', DistilBertForMaskedLM: 'bi-encoder', DistilBertForSequenceClassification: 'cross-encoder' },
};

/** The defaults of `BertConfig` and `DistilBertConfig`. */
const BERT_DEFAULTS = { vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12 };
const DISTILBERT_DEFAULTS = { vocab_size: 30522, dim: 768, n_layers: 6, n_heads: 12, hidden_dim: 3072, max_position_embeddings: 512 };
/** DistilBERT's LayerNorms are built with this epsilon in `transformers`; its config has no field for it. */
const DISTILBERT_LAYER_NORM_EPS = 1e-12;

type Json = Record<string, unknown>;

function positiveInt(config: Json, key: string, fallback: number, file: string): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) refuse(file, `${key} must be a positive integer, found ${JSON.stringify(v)}`);
  return v;
}

function numLabels(config: Json, file: string): number {
  const id2label = config.id2label;
  if (id2label && typeof id2label === 'object') return Object.keys(id2label).length;
  // `PretrainedConfig` gives two labels when a config names none.
  return positiveInt(config, 'num_labels', 2, file);
}

function kindOf(type: HfModelType, config: Json, file: string): { kind: HfModelKind; architecture: string } {
  const named = config.architectures;
  const supported = ARCHITECTURES[type];
  const list = Object.keys(supported).join(', ');
  if (named !== undefined && named !== null && (!Array.isArray(named) || named.length !== 1 || typeof named[0] !== 'string')) {
    refuse(file, `architectures must name one class, found ${JSON.stringify(named)} (supported: ${list})`);
  }
  const architecture = Array.isArray(named) ? (named[0] as string) : type === 'bert' ? 'BertModel' : 'DistilBertModel';
  const kind = supported[architecture];
  if (!kind) refuse(file, `architecture ${architecture} is not supported for model_type ${type} (supported: ${list})`);
  if (kind === 'cross-encoder') {
    const labels = numLabels(config, file);
    if (labels !== 1) refuse(file, `${architecture} has ${labels} labels; a cross-encoder here gives one relevance logit (num_labels 1)`);
  }
  return { kind, architecture };
}

function activation(config: Json, key: string, file: string): void {
  const act = config[key] ?? 'gelu';
  // `transformers`' "gelu" is the exact erf form; the tanh approximations ("gelu_new", "gelu_pytorch_tanh") differ.
  if (act !== 'gelu') refuse(file, `${key} ${JSON.stringify(act)} is not supported: the encoder computes exact (erf) GELU, ${key} "gelu"`);
}

function checkHeads(hidden: number, heads: number, hiddenKey: string, headsKey: string, file: string): void {
  if (hidden % heads !== 0) refuse(file, `${hiddenKey} ${hidden} is not divisible by ${headsKey} ${heads}`);
}

export function parseModelConfig(config: unknown, file = 'config.json'): ModelConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) refuse(file, 'not a JSON object');
  const c = config as Json;
  const type = c.model_type;
  if (typeof type !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(type)) {
    refuse(file, `model_type ${JSON.stringify(type ?? null)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`);
  }
  const t = type as HfModelType;
  const { kind, architecture } = kindOf(t, c, file);
  if (t === 'bert') {
    const d = BERT_DEFAULTS;
    activation(c, 'hidden_act', file);
    const position = c.position_embedding_type ?? 'absolute';
    if (position !== 'absolute') refuse(file, `position_embedding_type ${JSON.stringify(position)} is not supported (only "absolute")`);
    const hidden = positiveInt(c, 'hidden_size', d.hidden_size, file);
    const heads = positiveInt(c, 'num_attention_heads', d.num_attention_heads, file);
    checkHeads(hidden, heads, 'hidden_size', 'num_attention_heads', file);
    const eps = c.layer_norm_eps ?? d.layer_norm_eps;
    if (typeof eps !== 'number' || !(eps > 0)) refuse(file, `layer_norm_eps must be a positive number, found ${JSON.stringify(eps)}`);
    const dims: HfDims = {
      layers: positiveInt(c, 'num_hidden_layers', d.num_hidden_layers, file),
      hidden,
      heads,
      ffn: positiveInt(c, 'intermediate_size', d.intermediate_size, file),
      vocabSize: positiveInt(c, 'vocab_size', d.vocab_size, file),
      maxPositions: positiveInt(c, 'max_position_embeddings', d.max_position_embeddings, file),
      typeVocabSize: positiveInt(c, 'type_vocab_size', d.type_vocab_size, file),
      layerNormEps: eps,
    };
    return { type: t, kind, architecture, dims };
  }
  const d = DISTILBERT_DEFAULTS;
  activation(c, 'activation', file);
  const hidden = positiveInt(c, 'dim', d.dim, file);
  const heads = positiveInt(c, 'n_heads', d.n_heads, file);
  checkHeads(hidden, heads, 'dim', 'n_heads', file);
  const dims: HfDims = {
    layers: positiveInt(c, 'n_layers', d.n_layers, file),
    hidden,
    heads,
    ffn: positiveInt(c, 'hidden_dim', d.hidden_dim, file),
    vocabSize: positiveInt(c, 'vocab_size', d.vocab_size, file),
    maxPositions: positiveInt(c, 'max_position_embeddings', d.max_position_embeddings, file),
    typeVocabSize: 0,
    layerNormEps: DISTILBERT_LAYER_NORM_EPS,
  };
  return { type: t, kind, architecture, dims };
}
