/**
 * Reads a pretrained model folder as Hugging Face saves it (`config.json`, `model.safetensors`, `vocab.txt`,
 * `tokenizer_config.json`, and sentence-transformers' files when present) into a checked description: sizes,
 * pooling, vocabulary and every weight under its canonical name (export/hf-layout.ts). Each refusal is a
 * PretrainedFolderError that names the file and the reason, so the page can show it as it is.
 *
 * The folder arrives as a list of files with paths relative to its root, as a browser's folder picker or a zip
 * gives them; a leading folder shared by every path (`mymodel/config.json`) is taken off first.
 */
import { errorMessage } from '../../util/errors';
import { canonicalTensorName, EMBEDDING_NAMES, weightSpecs, type HfModelDescription, type HfWeight } from '../../export/hf-layout';
import { decodeFloatTensor, readSafetensors, type HalfDtype, type SafetensorsHeader } from '../../export/safetensors';
import { parseVocabText } from '../../text/wordpiece';
import { parseModelConfig, refuse, type ModelConfig } from './config';
import { readSentenceBertConfig, readSentenceSettings, type FolderAccess } from './sentence';

export { PretrainedFolderError } from './config';

export interface FolderFile {
  path: string;
  bytes: Uint8Array;
}

/** A file of a folder as a browser gives it: read only as far as needed (model/pretrained/open.ts). */
export interface FolderBlob {
  path: string;
  file: Blob;
}

/**
 * A file the reader holds less of than its bytes: a safetensors checkpoint too large to read whole (its header, and
 * the file to read each tensor from when it is wanted), or a file only its presence matters for (`header` null).
 */
export interface UnreadFile {
  path: string;
  file: Blob;
  header: SafetensorsHeader | null;
}

/** A checkpoint tensor: its shape and stored dtype, and its float32 values, in memory or read from its file when asked. */
export interface TensorRef {
  shape: number[];
  stored: 'F32' | HalfDtype;
  /** The values when the file was read whole, else null (call `read`). */
  data: Float32Array | null;
  read(): Promise<Float32Array>;
}

/** What a folder describes with its tensors not yet read: everything of a PretrainedModel but the weights' values. */
export interface PretrainedLayout extends Omit<PretrainedModel, 'weights'> {
  weights: Map<string, TensorRef>;
}

export interface PretrainedModel extends HfModelDescription {
  /** The class the checkpoint was saved from, e.g. `BertModel`, `DistilBertForSequenceClassification`. */
  architecture: string;
  /** Whether pooling, projection and normalisation came from sentence-transformers' files (else: defaults). */
  fromSentenceTransformers: boolean;
  /** Tensors of the checkpoint the model does not use (language-model heads, an int64 `position_ids` buffer). */
  ignoredTensors: string[];
  /** How the weights were stored; half precision is widened to float32 on reading. */
  storedAs: 'F32' | HalfDtype | 'mixed';
}

/** Files an archiver or a file browser leaves beside the model (macOS zips, Finder, Explorer). */
const CLUTTER = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$)/;

/** Forward slashes, no `./`, clutter dropped, and the one leading folder every path shares taken off. */
export function folderPaths<F extends { path: string }>(files: readonly F[]): F[] {
  const cleaned = files.map((f) => ({ ...f, path: f.path.replace(/\\/g, '/').replace(/^(\.\/)+|^\/+/g, '') })).filter((f) => !CLUTTER.test(f.path));
  const first = (p: string) => (p.includes('/') ? p.slice(0, p.indexOf('/') + 1) : null);
  const lead = cleaned.length > 0 ? first(cleaned[0]!.path) : null;
  const shared = lead !== null && cleaned.every((f) => f.path.startsWith(lead));
  return shared ? cleaned.map((f) => ({ ...f, path: f.path.slice(lead.length) })) : cleaned;
}

const decoder = new TextDecoder('utf-8');

/** Lookups over the folder, each JSON and safetensors file parsed once; files given unread are read tensor by tensor. */
export class Folder implements FolderAccess {
  private readonly byPath = new Map<string, Uint8Array>();
  private readonly unread = new Map<string, UnreadFile>();
  private readonly parsed = new Map<string, unknown>();
  readonly halves = new Set<'F32' | HalfDtype>();
  readonly skipped: string[] = [];

  /** `files` and `unread` come with their paths already through `folderPaths` together. */
  constructor(files: readonly FolderFile[], unread: readonly UnreadFile[] = []) {
    for (const f of files) this.byPath.set(f.path, f.bytes);
    for (const f of unread) this.unread.set(f.path, f);
  }

  has(path: string): boolean {
    return this.byPath.has(path) || this.unread.has(path);
  }

  bytes(path: string): Uint8Array {
    const b = this.byPath.get(path);
    if (!b) refuse(path, this.unread.has(path) ? 'too large to read whole here' : 'missing');
    return b;
  }

  text(path: string): string {
    return decoder.decode(this.bytes(path));
  }

  json(path: string): unknown {
    if (!this.parsed.has(path)) {
      try {
        this.parsed.set(path, JSON.parse(this.text(path)) as unknown);
      } catch (err) {
        if (err instanceof SyntaxError) refuse(path, `not valid JSON (${err.message})`);
        throw err;
      }
    }
    return this.parsed.get(path);
  }

  /** A small safetensors file's tensors with their values (a sentence-transformers Dense module). */
  tensors(path: string): Map<string, HfWeight> {
    const out = new Map<string, HfWeight>();
    for (const [name, ref] of this.refs(path)) {
      if (!ref.data) refuse(path, 'too large to read whole here');
      out.set(name, { shape: ref.shape, data: ref.data });
    }
    return out;
  }

  /** A checkpoint's float tensors by stored name; other dtypes are noted in `skipped`. */
  refs(path: string): Map<string, TensorRef> {
    const out = new Map<string, TensorRef>();
    const unread = this.unread.get(path);
    if (unread?.header) {
      const { file, header } = unread;
      this.skipped.push(...header.skipped.map((s) => `${s.name} (${s.dtype})`));
      for (const e of header.entries) {
        if (e.stored === 'I32') {
          this.skipped.push(`${e.name} (I32)`);
          continue;
        }
        const stored = e.stored;
        this.halves.add(stored);
        const read = async () => {
          let bytes: ArrayBuffer;
          try {
            bytes = await file.slice(e.begin, e.end).arrayBuffer();
          } catch (err) {
            // The browser's own words (NotReadableError) do not say which file, or why it might be.
            return refuse(path, `tensor ${e.name} could not be read (was the file changed or moved after it was chosen?): ${errorMessage(err)}`);
          }
          return decodeFloatTensor(new Uint8Array(bytes), stored, e.shape, `${path}: tensor ${e.name}`);
        };
        out.set(e.name, { shape: e.shape, stored, data: null, read });
      }
      return out;
    }
    const read = readSafetensors(this.bytes(path), path, { skipUnsupported: true });
    this.skipped.push(...(read.skipped ?? []).map((s) => `${s.name} (${s.dtype})`));
    for (const t of read.tensors) {
      if (t.dtype !== 'F32') {
        this.skipped.push(`${t.name} (${t.dtype})`);
        continue;
      }
      const data = t.data as Float32Array;
      this.halves.add(t.stored ?? 'F32');
      out.set(t.name, { shape: t.shape, stored: t.stored ?? 'F32', data, read: () => Promise.resolve(data) });
    }
    return out;
  }
}

function join(dir: string, file: string): string {
  return dir ? `${dir}/${file}` : file;
}

const CONVERT_HINT =
  'convert it to safetensors first, e.g. in Python: from transformers import AutoModel; AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True) (AutoModelForSequenceClassification for a cross-encoder)';

/** The checkpoint's tensors by their stored names: one `model.safetensors`, or the shards its index lists. */
function checkpointTensors(folder: Folder, root: string): { file: string; tensors: Map<string, TensorRef> } {
  const single = join(root, 'model.safetensors');
  if (folder.has(single)) return { file: single, tensors: folder.refs(single) };
  const index = join(root, 'model.safetensors.index.json');
  if (folder.has(index)) {
    const map = (folder.json(index) as { weight_map?: Record<string, string> }).weight_map;
    if (!map || typeof map !== 'object') refuse(index, 'no weight_map');
    const tensors = new Map<string, TensorRef>();
    for (const shard of new Set(Object.values(map))) {
      if (!folder.has(join(root, shard))) refuse(join(root, shard), `missing: ${index} lists it`);
      for (const [name, t] of folder.refs(join(root, shard))) tensors.set(name, t);
    }
    return { file: index, tensors };
  }
  for (const other of ['pytorch_model.bin', 'pytorch_model.bin.index.json', 'tf_model.h5', 'flax_model.msgpack']) {
    if (folder.has(join(root, other))) refuse(join(root, other), `the weights are only in this format, which the browser cannot read; ${CONVERT_HINT}`);
  }
  return refuse(single, 'missing: the folder has no model weights (model.safetensors)');
}

/** Picks every weight the model needs out of the checkpoint, under canonical names, checking each shape. */
function modelWeights(config: ModelConfig, file: string, stored: Map<string, TensorRef>): { weights: Map<string, TensorRef>; ignored: string[] } {
  const byCanonical = new Map<string, { stored: string; weight: TensorRef }>();
  for (const [name, weight] of stored) {
    const canonical = canonicalTensorName(config.type, name);
    const earlier = byCanonical.get(canonical);
    if (earlier) refuse(file, `tensors ${earlier.stored} and ${name} are both ${canonical}`);
    byCanonical.set(canonical, { stored: name, weight });
  }
  const weights = new Map<string, TensorRef>();
  const used = new Set<string>();
  for (const spec of weightSpecs(config.type, config.kind, config.dims)) {
    const found = byCanonical.get(spec.name);
    if (!found) {
      if (spec.optional) continue;
      refuse(file, `tensor ${spec.name} is missing (expected shape [${spec.shape.join(', ')}])`);
    }
    if (found.weight.shape.join() !== spec.shape.join()) {
      refuse(file, `tensor ${found.stored} has shape [${found.weight.shape.join(', ')}], expected [${spec.shape.join(', ')}] from config.json`);
    }
    weights.set(spec.name, found.weight);
    used.add(found.stored);
  }
  return { weights, ignored: [...stored.keys()].filter((n) => !used.has(n)) };
}

function lowercaseOf(folder: Folder, root: string): boolean {
  const file = join(root, 'tokenizer_config.json');
  const flag = folder.has(file) ? (folder.json(file) as Record<string, unknown>).do_lower_case : undefined;
  if (typeof flag === 'boolean') return flag;
  // A fast tokenizer alone keeps the flag in its normaliser; BertTokenizer lower-cases unless told not to.
  const fast = join(root, 'tokenizer.json');
  const normalizer = folder.has(fast) ? (folder.json(fast) as { normalizer?: { lowercase?: unknown } | null }).normalizer : null;
  return normalizer?.lowercase !== false;
}

/**
 * The WordPiece vocabulary: `vocab.txt`, or where a folder has only a fast tokenizer (transformers 5 saves no
 * vocab.txt), the WordPiece model's token → id map in `tokenizer.json`, which must number the tokens 0..n-1.
 */
function vocabularyOf(folder: Folder, root: string): { vocab: string[]; vocabFile: string } {
  const vocabFile = join(root, 'vocab.txt');
  if (folder.has(vocabFile)) return { vocab: parseVocabText(folder.text(vocabFile), vocabFile), vocabFile };
  const fast = join(root, 'tokenizer.json');
  if (!folder.has(fast)) refuse(vocabFile, 'missing (and no tokenizer.json): the WordPiece vocabulary is needed to tokenize texts the way the model was trained');
  const model = (folder.json(fast) as { model?: { type?: unknown; vocab?: unknown } }).model;
  if (model?.type !== 'WordPiece') refuse(fast, `the tokenizer is ${JSON.stringify(model?.type ?? 'missing')}, not WordPiece: the studio tokenizes with BERT's WordPiece only`);
  const map = model.vocab;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) refuse(fast, 'model.vocab is not a token → id map');
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(map)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) refuse(fast, `token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, not a whole number`);
    if (tokens[id] !== undefined) refuse(fast, `tokens ${JSON.stringify(tokens[id])} and ${JSON.stringify(token)} share id ${id}`);
    tokens[id] = token;
  }
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) refuse(fast, `no token has id ${i}: the ids must run from 0 to ${tokens.length - 1}`);
  try {
    return { vocab: parseVocabText(tokens.join('\n'), `${fast} (model.vocab)`), vocabFile: fast };
  } catch (err) {
    return refuse(fast, errorMessage(err));
  }
}

/** Reads a folder held in memory whole: every weight with its values. */
export function readPretrainedFolder(files: readonly FolderFile[]): PretrainedModel {
  const layout = describeFolder(new Folder(folderPaths(files)));
  const weights = new Map<string, HfWeight>();
  for (const [name, ref] of layout.weights) weights.set(name, { shape: ref.shape, data: ref.data as Float32Array });
  return { ...layout, weights };
}

/** Checks a folder and describes it; the checkpoint's tensors are referenced, read only when a caller asks. */
export function describeFolder(folder: Folder): PretrainedLayout {
  const configOf = (root: string): ModelConfig => {
    const file = join(root, 'config.json');
    if (!folder.has(file)) refuse(file, 'missing: a Hugging Face model folder keeps its sizes in config.json');
    return parseModelConfig(folder.json(file), file);
  };
  const sentence = readSentenceSettings(folder, (root) => configOf(root).dims.hidden);
  const root = sentence.transformerPath;
  const config = configOf(root);
  if (sentence.transformerOnly && config.kind === 'bi-encoder') {
    refuse('modules.json', `the Transformer is the only module, but ${config.architecture} is not a cross-encoder: a bi-encoder needs a Pooling module after it`);
  }
  const { vocab, vocabFile } = vocabularyOf(folder, root);
  const { file, tensors } = checkpointTensors(folder, root);
  const { weights, ignored } = modelWeights(config, file, tensors);
  const rows = weights.get(`${EMBEDDING_NAMES.word}.weight`)?.shape[0];
  if (rows !== vocab.length) refuse(vocabFile, `${vocab.length} tokens, but ${EMBEDDING_NAMES.word}.weight in ${file} has ${rows} rows: the vocabulary does not belong to these weights`);
  const st = readSentenceBertConfig(folder, root);
  if (st.maxSeqLength !== null && st.maxSeqLength > config.dims.maxPositions) {
    refuse('sentence_bert_config.json', `max_seq_length ${st.maxSeqLength} is over the model's ${config.dims.maxPositions} positions (max_position_embeddings)`);
  }
  const halves = [...folder.halves];
  return {
    type: config.type,
    kind: config.kind,
    architecture: config.architecture,
    dims: config.dims,
    weights,
    pooling: sentence.pooling,
    dense: sentence.dense,
    normalize: sentence.normalize,
    vocab,
    lowercase: lowercaseOf(folder, root) || st.lowercase,
    maxSeqLength: st.maxSeqLength,
    fromSentenceTransformers: sentence.fromSentenceTransformers,
    ignoredTensors: [...ignored, ...folder.skipped],
    storedAs: halves.length === 1 ? (halves[0] as 'F32' | HalfDtype) : halves.length === 0 ? 'F32' : 'mixed',
  };
}
