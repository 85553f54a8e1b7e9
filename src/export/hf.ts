/**
 * Writes a trained BERT / DistilBERT ranker as a folder that `transformers` loads unchanged and that
 * `sentence-transformers` loads as a `SentenceTransformer` (bi-encoders: Transformer → Pooling → optional Dense →
 * optional Normalize, dot-product similarity) or as a `CrossEncoder` (one raw logit, no sigmoid). Weights keep the
 * library's names and `[out, in]` layout in float32; a model card says how the model was trained.
 *
 * Only export/ and util/ are imported: the description comes in as plain data (hf-layout.ts), whatever built it.
 */
import { zipSync, type Zippable } from 'fflate';
import { architectureName, fileTensorName, weightSpecs, type HfDims, type HfModelDescription, type HfModelType } from './hf-layout';
import { writeSafetensors, type NamedTensor } from './safetensors';
import { specialTokensMap, tokenizerConfigJson, tokenizerJson } from './tokenizer-json';

export interface HfFile {
  path: string;
  bytes: Uint8Array;
}

/** One evaluated system (the student, BM25, the teacher...) with its metrics, e.g. `{ 'MRR@10': 0.31 }`. */
export interface EvaluationRow {
  system: string;
  metrics: Record<string, number>;
}

export interface TrainingSummary {
  /** The checkpoint training started from (a folder name), or null for random initialisation. */
  baseModel: string | null;
  teacherFiles: string[];
  /** How the teacher triples were made, when the studio made them (data/provenance.ts's describeProvenance). */
  teacherMade?: string;
  loss: string;
  steps: number;
  learningRate: number;
  batchSize?: number;
  queryLength?: number;
  passageLength?: number;
  evaluation: EvaluationRow[];
  /** ISO date of the export. */
  date?: string;
}

const IDENTITY = 'torch.nn.modules.linear.Identity';
const ST = 'sentence_transformers.models.';
/** sentence-transformers 3.0 introduced `similarity_fn_name`, which the bi-encoder's config sets to "dot". */
const ST_FORMAT_VERSION = '3.0.0';

const encoder = new TextEncoder();
const json = (path: string, value: unknown): HfFile => ({ path, bytes: encoder.encode(JSON.stringify(value, null, 2) + '\n') });
const text = (path: string, value: string): HfFile => ({ path, bytes: encoder.encode(value) });

/** `config.json`: what `transformers` (and transformers.js) build the model from. */
export function modelConfig(model: HfModelDescription): Record<string, unknown> {
  const { dims: d, type, kind } = model;
  const head = kind === 'cross-encoder' ? { id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 }, sbert_ce_default_activation_function: IDENTITY } : {};
  // Margin-MSE trains raw scores, so a CrossEncoder must return the logit itself (its default for one label is a sigmoid).
  const common = { architectures: [architectureName(type, kind)], model_type: type, vocab_size: d.vocabSize, max_position_embeddings: d.maxPositions, pad_token_id: 0, initializer_range: 0.02, torch_dtype: 'float32' };
  if (type === 'bert') {
    return { ...common, hidden_size: d.hidden, num_hidden_layers: d.layers, num_attention_heads: d.heads, intermediate_size: d.ffn, hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, type_vocab_size: d.typeVocabSize, layer_norm_eps: d.layerNormEps, position_embedding_type: 'absolute', ...head };
  }
  if (d.layerNormEps !== 1e-12) throw new Error(`DistilBERT's LayerNorm epsilon is fixed at 1e-12 in transformers; this model uses ${d.layerNormEps}`);
  return { ...common, dim: d.hidden, n_layers: d.layers, n_heads: d.heads, hidden_dim: d.ffn, activation: 'gelu', dropout: 0.1, attention_dropout: 0.1, qa_dropout: 0.1, seq_classif_dropout: 0.2, sinusoidal_pos_embds: false, tie_weights_: true, ...head };
}

/** The checkpoint's tensors in the order `transformers` lists them, each checked against the sizes in config.json. */
function modelTensors(model: HfModelDescription): NamedTensor[] {
  const specs = weightSpecs(model.type, model.kind, model.dims);
  const known = new Set(specs.map((s) => s.name));
  const extra = [...model.weights.keys()].filter((n) => !known.has(n));
  const arch = architectureName(model.type, model.kind);
  if (extra.length > 0) throw new Error(`cannot export: ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not part of a ${arch}`);
  const tensors: NamedTensor[] = [];
  for (const spec of specs) {
    const w = model.weights.get(spec.name);
    if (!w) {
      if (spec.optional) continue;
      throw new Error(`cannot export: weight ${spec.name} is missing (a ${arch} needs it, shape [${spec.shape.join(', ')}])`);
    }
    if (w.shape.join() !== spec.shape.join()) throw new Error(`cannot export: weight ${spec.name} has shape [${w.shape.join(', ')}], config.json implies [${spec.shape.join(', ')}]`);
    tensors.push({ name: fileTensorName(model.type, model.kind, spec.name), dtype: 'F32', shape: w.shape, data: w.data });
  }
  return tensors;
}

/** vocab.txt, tokenizer.json (what transformers.js reads), tokenizer_config.json and special_tokens_map.json. */
export function tokenizerFiles(model: HfModelDescription, maxLength: number): HfFile[] {
  const tokenizerClass = model.type === 'bert' ? 'BertTokenizer' : 'DistilBertTokenizer';
  return [
    text('vocab.txt', model.vocab.join('\n') + '\n'),
    // The fast-tokenizer file: what transformers.js loads (it has no reader for vocab.txt alone).
    json('tokenizer.json', tokenizerJson(model.vocab)),
    json('tokenizer_config.json', tokenizerConfigJson(model.vocab, { tokenizerClass, modelMaxLength: maxLength })),
    json('special_tokens_map.json', specialTokensMap(model.vocab)),
  ];
}

/** sentence-transformers' `1_Pooling/config.json`: exactly one mode on, the model's. */
export function poolingConfig(model: HfModelDescription): Record<string, unknown> {
  return {
    word_embedding_dimension: model.dims.hidden,
    pooling_mode_cls_token: model.pooling === 'cls',
    pooling_mode_mean_tokens: model.pooling === 'mean',
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  };
}

function sentenceTransformerFiles(model: HfModelDescription, maxLength: number): HfFile[] {
  const modules: { idx: number; name: string; path: string; type: string }[] = [
    { idx: 0, name: '0', path: '', type: `${ST}Transformer` },
    { idx: 1, name: '1', path: '1_Pooling', type: `${ST}Pooling` },
  ];
  const files: HfFile[] = [
    json('sentence_bert_config.json', { max_seq_length: maxLength, do_lower_case: false }),
    json('1_Pooling/config.json', poolingConfig(model)),
    json('config_sentence_transformers.json', { __version__: { sentence_transformers: ST_FORMAT_VERSION }, prompts: {}, default_prompt_name: null, similarity_fn_name: 'dot' }),
  ];
  if (model.dense) {
    const { weight, bias } = model.dense;
    const [out, inputs] = weight.shape as [number, number];
    if (weight.shape.length !== 2 || inputs !== model.dims.hidden) throw new Error(`cannot export: the Dense weight has shape [${weight.shape.join(', ')}], expected [out, ${model.dims.hidden}]`);
    if (bias && bias.shape.join() !== `${out}`) throw new Error(`cannot export: the Dense bias has shape [${bias.shape.join(', ')}], expected [${out}]`);
    const tensors: NamedTensor[] = [{ name: 'linear.weight', dtype: 'F32', shape: weight.shape, data: weight.data }];
    if (bias) tensors.push({ name: 'linear.bias', dtype: 'F32', shape: bias.shape, data: bias.data });
    modules.push({ idx: 2, name: '2', path: '2_Dense', type: `${ST}Dense` });
    files.push(json('2_Dense/config.json', { in_features: inputs, out_features: out, bias: bias !== null, activation_function: IDENTITY }));
    files.push({ path: '2_Dense/model.safetensors', bytes: writeSafetensors(tensors, { format: 'pt' }) });
  }
  if (model.normalize) {
    const idx = modules.length;
    modules.push({ idx, name: String(idx), path: `${idx}_Normalize`, type: `${ST}Normalize` });
  }
  return [json('modules.json', modules), ...files];
}

/**
 * The whole folder: config, weights, tokenizer, sentence-transformers modules (bi-encoders, unless
 * `sentenceTransformers` is false: a plain transformers folder, e.g. a checkpoint a CrossEncoder will load) and the
 * model card.
 */
export function huggingFaceFolder(model: HfModelDescription, summary: TrainingSummary, { sentenceTransformers = true } = {}): HfFile[] {
  // The studio tokenizes lower-cased only (a cased checkpoint is refused at import), and the tokenizer files say so.
  if (!model.lowercase) throw new Error('cannot export: the model is cased, and the studio tokenizes lower-cased only');
  if (model.vocab.length !== model.dims.vocabSize) throw new Error(`cannot export: the vocabulary has ${model.vocab.length} tokens, the model ${model.dims.vocabSize} embeddings`);
  const maxLength = model.maxSeqLength ?? Math.min(model.dims.maxPositions, 512);
  // `format: pt` is required: transformers refuses safetensors metadata without a format it knows.
  const files = [json('config.json', modelConfig(model)), { path: 'model.safetensors', bytes: writeSafetensors(modelTensors(model), { format: 'pt' }) }, ...tokenizerFiles(model, maxLength)];
  if (model.kind === 'bi-encoder' && sentenceTransformers) files.push(...sentenceTransformerFiles(model, maxLength));
  files.push(text('README.md', modelCard(model, summary)));
  return files;
}

/** The folder as one zip; `root` puts every file under a folder of that name. Weights are stored, text deflated. */
export function zipFolder(files: readonly HfFile[], root = '', mtime: Date = new Date()): Uint8Array {
  const entries: Zippable = {};
  for (const f of files) {
    if (f.path.split('/').some((part) => part === '..' || part === '')) throw new Error(`cannot zip ${JSON.stringify(f.path)}: not a relative path inside the folder`);
    const path = root ? `${root}/${f.path}` : f.path;
    if (Object.hasOwn(entries, path)) throw new Error(`cannot zip: ${path} appears twice`);
    // Float weights barely compress; storing them saves seconds on a large model.
    entries[path] = [f.bytes, { level: /\.(safetensors|onnx)$/.test(f.path) ? 0 : 6, mtime }];
  }
  return zipSync(entries);
}

function parameterCount(model: HfModelDescription): number {
  let n = 0;
  for (const w of model.weights.values()) n += w.data.length;
  if (model.dense) n += model.dense.weight.data.length + (model.dense.bias?.data.length ?? 0);
  return n;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function evaluationTable(rows: readonly EvaluationRow[]): string {
  if (rows.length === 0) return 'No evaluation was run.\n';
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const lines = [`| system | ${metrics.map(cell).join(' | ')} |`, `|---|${metrics.map(() => '---:').join('|')}|`];
  for (const r of rows) lines.push(`| ${cell(r.system)} | ${metrics.map((m) => (r.metrics[m] === undefined ? '–' : (r.metrics[m] as number).toFixed(4))).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

function sizes(type: HfModelType, d: HfDims): string {
  return `${type === 'bert' ? 'BERT' : 'DistilBERT'}, ${d.layers} layers, hidden size ${d.hidden}, ${d.heads} heads, feed-forward ${d.ffn}, vocabulary ${d.vocabSize}, ${d.maxPositions} positions`;
}

function usage(model: HfModelDescription): string {
  if (model.kind === 'cross-encoder') {
    return ['```python', 'from sentence_transformers import CrossEncoder', '', 'model = CrossEncoder("path/to/this/folder")', 'scores = model.predict([("what is a margin?", "A margin is the difference between two scores.")])', '```'].join('\n');
  }
  return ['```python', 'from sentence_transformers import SentenceTransformer', '', 'model = SentenceTransformer("path/to/this/folder")', 'q = model.encode(["what is a margin?"])', 'p = model.encode(["A margin is the difference between two scores."])', 'scores = model.similarity(q, p)  # dot product, as trained', '```'].join('\n');
}

function modelCard(model: HfModelDescription, s: TrainingSummary): string {
  const bi = model.kind === 'bi-encoder';
  const vector = bi ? `${model.pooling === 'cls' ? '[CLS]' : 'mean'} pooling${model.dense ? `, a Dense projection to ${model.dense.weight.shape[0]}` : ''}${model.normalize ? ', normalised to unit length' : ''}; scores are dot products` : 'one logit from `[CLS] query [SEP] passage [SEP]`, returned as it is (no sigmoid)';
  const facts: [string, string][] = [
    ['started from', s.baseModel ?? 'random initialisation'],
    ['teacher scores', s.teacherFiles.length ? s.teacherFiles.map((f) => `\`${f}\``).join(', ') : '–'],
    ...(s.teacherMade ? [['teacher triples', s.teacherMade] as [string, string]] : []),
    ['loss', s.loss],
    ['steps', String(s.steps)],
    ['learning rate', String(s.learningRate)],
  ];
  if (s.batchSize !== undefined) facts.push(['batch size', String(s.batchSize)]);
  if (s.queryLength !== undefined) facts.push(['query tokens', String(s.queryLength)]);
  if (s.passageLength !== undefined) facts.push(['passage tokens', String(s.passageLength)]);
  if (s.date) facts.push(['exported', s.date]);
  return [
    '---',
    `library_name: ${bi ? 'sentence-transformers' : 'transformers'}`,
    `pipeline_tag: ${bi ? 'sentence-similarity' : 'text-ranking'}`,
    'tags:',
    ...['sentence-transformers', bi ? 'bi-encoder' : 'cross-encoder', 'margin-mse', 'knowledge-distillation', 'margin-studio'].map((t) => `- ${t}`),
    '---',
    '',
    `# ${bi ? 'Bi-encoder' : 'Cross-encoder'} ranker trained with Margin Studio`,
    '',
    `A ${architectureName(model.type, model.kind)} (${sizes(model.type, model.dims)}; ${parameterCount(model).toLocaleString('en-US')} parameters) trained in the browser by knowledge distillation: ${vector}.`,
    'Margin-MSE (Hofstätter et al., "Improving Efficient Neural Ranking Models with Cross-Architecture Knowledge Distillation", arXiv 2010.02666) matches the difference between the scores of a relevant and a non-relevant passage to the teacher\'s.',
    '',
    '## Training',
    '',
    '| | |',
    '|---|---|',
    ...facts.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
    '## Evaluation',
    '',
    evaluationTable(s.evaluation),
    '## Usage',
    '',
    usage(model),
    '',
    `Texts are tokenized with BERT's WordPiece over \`vocab.txt\`${model.lowercase ? ', lower-cased' : ''}.`,
    '',
  ].join('\n');
}
