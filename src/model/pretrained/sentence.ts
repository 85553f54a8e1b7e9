/**
 * The sentence-transformers side of a model folder: `modules.json` lists the pipeline (Transformer, then Pooling,
 * then optionally one Dense projection and a Normalize), each module keeping its settings in its own sub-folder.
 * Only pipelines the studio computes exactly are accepted: [CLS] or mean pooling, and a Dense layer whose
 * activation is the identity (sentence-transformers' default is tanh, so a missing activation is refused too).
 */
import type { HfDense, HfPooling, HfWeight } from '../../export/hf-layout';
import { refuse } from './config';

export interface SentenceSettings {
  /** Where the Transformer module keeps `config.json` and the weights ('' for the folder root). */
  transformerPath: string;
  pooling: HfPooling;
  dense: HfDense | null;
  normalize: boolean;
  /** True when a `modules.json` was read; otherwise pooling is the studio's default. */
  fromSentenceTransformers: boolean;
  /** `modules.json` lists the Transformer alone: how sentence-transformers 6 saves a CrossEncoder. */
  transformerOnly: boolean;
}

/** What the reader needs of the folder: parsed JSON files and the F32 tensors of a safetensors file. */
export interface FolderAccess {
  has(path: string): boolean;
  json(path: string): unknown;
  tensors(path: string): Map<string, HfWeight>;
}

const MODULE = 'sentence_transformers.models.';

/**
 * A module's class from its `type`: sentence-transformers up to 5 writes `sentence_transformers.models.Pooling`,
 * 6 writes where the class now lives (`sentence_transformers.base.modules.transformer.Transformer`,
 * `sentence_transformers.sentence_transformer.modules.pooling.Pooling`, ...). Other packages' modules keep their type.
 */
export function moduleClass(type: string): string {
  if (!type.startsWith('sentence_transformers.')) return type;
  return type.slice(type.lastIndexOf('.') + 1);
}
const IDENTITY = 'torch.nn.modules.linear.Identity';
const POOLING_MODES = ['cls_token', 'mean_tokens', 'max_tokens', 'mean_sqrt_len_tokens', 'weightedmean_tokens', 'lasttoken'] as const;

/**
 * With no sentence-transformers files the vector is the [CLS] token's: the pooling of the paper's BERT_DOT, and of
 * DistilBERT bi-encoders trained with it. The caller may choose mean pooling instead.
 */
export const DEFAULT_POOLING: HfPooling = 'cls';

interface ModuleEntry {
  idx: number;
  path: string;
  type: string;
}

function join(dir: string, file: string): string {
  return dir ? `${dir}/${file}` : file;
}

function modules(raw: unknown): ModuleEntry[] {
  const file = 'modules.json';
  if (!Array.isArray(raw)) refuse(file, 'not a JSON list of modules');
  const list = raw.map((m, i) => {
    const e = m as Partial<ModuleEntry> | null;
    if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || typeof e.path !== 'string') refuse(file, `entry ${i} has no type and path`);
    return { idx: typeof e.idx === 'number' ? e.idx : i, path: e.path.replace(/\/+$/, ''), type: e.type };
  });
  return list.sort((a, b) => a.idx - b.idx);
}

function poolingOf(folder: FolderAccess, path: string, hidden: number): HfPooling {
  const file = join(path, 'config.json');
  if (!folder.has(file)) refuse(file, 'missing: the Pooling module keeps its settings there');
  const c = folder.json(file) as Record<string, unknown>;
  // Older files may name the mode in one string instead of the flags.
  const named = typeof c.pooling_mode === 'string' ? c.pooling_mode : null;
  const on = named ? [named === 'cls' ? 'cls_token' : named === 'mean' ? 'mean_tokens' : named] : POOLING_MODES.filter((m) => c[`pooling_mode_${m}`] === true);
  if (on.length !== 1) refuse(file, `exactly one pooling mode must be on, found ${on.length ? on.join(' + ') : 'none'}`);
  const mode = on[0] as string;
  if (mode !== 'cls_token' && mode !== 'mean_tokens') refuse(file, `pooling ${mode} is not supported (cls_token or mean_tokens)`);
  // sentence-transformers 6 calls it embedding_dimension.
  const width = c.word_embedding_dimension ?? c.embedding_dimension;
  if (width !== undefined && width !== hidden) refuse(file, `word_embedding_dimension ${JSON.stringify(width)} is not the model's hidden size ${hidden}`);
  return mode === 'cls_token' ? 'cls' : 'mean';
}

function denseOf(folder: FolderAccess, path: string, inputs: number): HfDense {
  const configFile = join(path, 'config.json');
  if (!folder.has(configFile)) refuse(configFile, 'missing: the Dense module keeps its sizes there');
  const c = folder.json(configFile) as Record<string, unknown>;
  const act = c.activation_function;
  if (act !== IDENTITY) refuse(configFile, `activation_function ${JSON.stringify(act ?? 'missing (tanh by default)')} is not supported: only ${IDENTITY}`);
  const { in_features: inF, out_features: outF } = c;
  if (inF !== inputs) refuse(configFile, `in_features ${JSON.stringify(inF)} is not the pooled vector's size ${inputs}`);
  if (typeof outF !== 'number' || !Number.isInteger(outF) || outF <= 0) refuse(configFile, `out_features must be a positive integer, found ${JSON.stringify(outF)}`);
  const weightsFile = join(path, 'model.safetensors');
  if (!folder.has(weightsFile)) {
    const pickle = join(path, 'pytorch_model.bin');
    if (folder.has(pickle)) refuse(pickle, 'PyTorch pickles cannot be read here; save the model with safetensors first, e.g. in Python: SentenceTransformer(dir).save(dir, safe_serialization=True)');
    refuse(weightsFile, 'missing: the Dense module keeps its weights there');
  }
  const tensors = folder.tensors(weightsFile);
  const weight = tensors.get('linear.weight');
  if (!weight) refuse(weightsFile, `tensor linear.weight is missing (expected shape [${outF}, ${inputs}])`);
  if (weight.shape.join() !== `${outF},${inputs}`) refuse(weightsFile, `tensor linear.weight has shape [${weight.shape.join(', ')}], expected [${outF}, ${inputs}]`);
  const hasBias = c.bias !== false;
  const bias = tensors.get('linear.bias') ?? null;
  if (hasBias && !bias) refuse(weightsFile, `tensor linear.bias is missing (expected shape [${outF}])`);
  if (bias && bias.shape.join() !== `${outF}`) refuse(weightsFile, `tensor linear.bias has shape [${bias.shape.join(', ')}], expected [${outF}]`);
  return { weight, bias: hasBias ? bias : null };
}

/** The pipeline of `modules.json`, or the defaults when the folder has none. */
export function readSentenceSettings(folder: FolderAccess, hiddenOf: (transformerPath: string) => number): SentenceSettings {
  if (!folder.has('modules.json')) {
    return { transformerPath: '', pooling: DEFAULT_POOLING, dense: null, normalize: false, fromSentenceTransformers: false, transformerOnly: false };
  }
  const list = modules(folder.json('modules.json'));
  const [first, second, ...rest] = list;
  if (!first || moduleClass(first.type) !== 'Transformer') refuse('modules.json', `the first module must be ${MODULE}Transformer, found ${first?.type ?? 'none'}`);
  if (!second) return { transformerPath: first.path, pooling: DEFAULT_POOLING, dense: null, normalize: false, fromSentenceTransformers: true, transformerOnly: true };
  if (!second || moduleClass(second.type) !== 'Pooling') refuse('modules.json', `the second module must be ${MODULE}Pooling, found ${second?.type ?? 'none'}`);
  const hidden = hiddenOf(first.path);
  const settings: SentenceSettings = { transformerPath: first.path, pooling: poolingOf(folder, second.path, hidden), dense: null, normalize: false, fromSentenceTransformers: true, transformerOnly: false };
  for (const [i, m] of rest.entries()) {
    if (settings.normalize) refuse('modules.json', `module ${m.type} after Normalize is not supported (Normalize must come last)`);
    if (moduleClass(m.type) === 'Dense' && !settings.dense) settings.dense = denseOf(folder, m.path, hidden);
    else if (moduleClass(m.type) === 'Normalize') settings.normalize = true;
    else refuse('modules.json', `module ${i + 2} (${m.type}) is not supported: the studio computes Transformer, Pooling, one Dense with identity activation, Normalize`);
  }
  return settings;
}

/** `max_seq_length` of `sentence_bert_config.json` (tokens including [CLS] and [SEP]), and its lower-casing flag. */
export function readSentenceBertConfig(folder: FolderAccess, transformerPath: string): { maxSeqLength: number | null; lowercase: boolean } {
  const file = ['sentence_bert_config.json', join(transformerPath, 'sentence_bert_config.json')].find((f) => folder.has(f));
  if (!file) return { maxSeqLength: null, lowercase: false };
  const c = folder.json(file) as Record<string, unknown>;
  const max = c.max_seq_length ?? null;
  if (max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 2)) refuse(file, `max_seq_length must be an integer of at least 2, found ${JSON.stringify(max)}`);
  return { maxSeqLength: max, lowercase: c.do_lower_case === true };
}
