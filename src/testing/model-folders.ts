/**
 * Model folders at real width for browser tests, generated on disk (nothing this large is committed): config.json,
 * tokenizer_config.json, a BERT-style vocab.txt and a model.safetensors holding every tensor the model class has,
 * written tensor by tensor so the test runner never holds the file whole.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { architectureName, fileTensorName, weightSpecs, type HfDims, type HfModelKind, type HfModelType } from '../export/hf-layout';

/** A model folder's architecture: its type and the sizes of config.json that fix its tensors. */
export type FolderShape = { type: HfModelType } & Pick<HfDims, 'layers' | 'hidden' | 'heads' | 'ffn' | 'vocabSize' | 'maxPositions'>;

/** DistilBERT-base (distilbert-base-uncased): 66M parameters. */
export const DISTILBERT_BASE: FolderShape = { type: 'distilbert', layers: 6, hidden: 768, heads: 12, ffn: 3072, vocabSize: 30522, maxPositions: 512 };
/** BERT-base (bert-base-uncased): 110M parameters. */
export const BERT_BASE: FolderShape = { type: 'bert', layers: 12, hidden: 768, heads: 12, ffn: 3072, vocabSize: 30522, maxPositions: 512 };

function dimsOf(s: FolderShape): HfDims {
  return { layers: s.layers, hidden: s.hidden, heads: s.heads, ffn: s.ffn, vocabSize: s.vocabSize, maxPositions: s.maxPositions, typeVocabSize: s.type === 'bert' ? 2 : 0, layerNormEps: 1e-12 };
}

/**
 * Every tensor of the bi-encoder (BertModel with its pooler, or DistilBertModel) or of the cross-encoder
 * (`*ForSequenceClassification` with one label), under the names its file stores them by.
 */
export function tensorsOf(shape: FolderShape, kind: HfModelKind = 'bi-encoder'): { name: string; shape: number[] }[] {
  return weightSpecs(shape.type, kind, dimsOf(shape)).map((s) => ({ name: fileTensorName(shape.type, kind, s.name), shape: s.shape }));
}

export function parameterCount(shape: FolderShape, kind: HfModelKind = 'bi-encoder'): number {
  return tensorsOf(shape, kind).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}

/** bert-base-uncased's layout: [PAD] 0, [unused0..98] 1–99, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, then words. */
function placeholderVocab(size: number): string[] {
  const tokens = ['[PAD]'];
  for (let i = 0; i < 99; i++) tokens.push(`[unused${i}]`);
  tokens.push('[UNK]', '[CLS]', '[SEP]', '[MASK]');
  for (let i = tokens.length; i < size; i++) tokens.push(`w${i.toString(36)}`);
  return tokens;
}

export interface FolderOptions {
  /** The vocabulary's lines (its length must be the shape's vocabSize); placeholder words in BERT's layout if absent. */
  vocab?: readonly string[];
  /**
   * As a trained model's are: LayerNorm scales 1 and biases 0 (F32 only), the other values as below. Without it
   * every value is random, which a test of storage wants; a model whose outputs are compared wants working norms.
   */
  trainedNorms?: boolean;
  /** A cross-encoder (`*ForSequenceClassification`, one label) instead of the default bi-encoder. */
  kind?: HfModelKind;
}

function config(shape: FolderShape, kind: HfModelKind): Record<string, unknown> {
  const head = kind === 'cross-encoder' ? { id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 } } : {};
  return { ...baseConfig(shape), architectures: [architectureName(shape.type, kind)], ...head };
}

function baseConfig(shape: FolderShape): Record<string, unknown> {
  if (shape.type === 'distilbert') {
    return { architectures: ['DistilBertModel'], model_type: 'distilbert', vocab_size: shape.vocabSize, dim: shape.hidden, n_layers: shape.layers, n_heads: shape.heads, hidden_dim: shape.ffn, activation: 'gelu', max_position_embeddings: shape.maxPositions, sinusoidal_pos_embds: false, pad_token_id: 0 };
  }
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: shape.vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.ffn,
    hidden_act: 'gelu',
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
  };
}

/**
 * Writes the folder `dir` and returns the safetensors file's size. Values are small pseudo-random numbers (a fixed
 * xorshift sequence), so that nothing stored compresses away; F16 values are built from their bits
 * (random sign and fraction, exponents 2^-10..2^-1), which are never infinite or NaN.
 */
export function writeModelFolder(dir: string, shape: FolderShape, dtype: 'F32' | 'F16', options: FolderOptions = {}): number {
  const vocab = options.vocab ?? placeholderVocab(shape.vocabSize);
  if (vocab.length !== shape.vocabSize) throw new Error(`writeModelFolder: ${vocab.length} vocabulary lines for a vocabulary of ${shape.vocabSize}`);
  if (options.trainedNorms && dtype !== 'F32') throw new Error('writeModelFolder: trainedNorms is for F32 folders');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config(shape, options.kind ?? 'bi-encoder'), null, 2));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, tokenizer_class: 'BertTokenizer', model_max_length: shape.maxPositions }));
  writeFileSync(join(dir, 'vocab.txt'), `${vocab.join('\n')}\n`);

  const width = dtype === 'F32' ? 4 : 2;
  const tensors = tensorsOf(shape, options.kind ?? 'bi-encoder');
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1) * width;
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const fd = openSync(join(dir, 'model.safetensors'), 'w');
  try {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    writeSync(fd, length);
    writeSync(fd, json);
    let seed = 12345;
    for (const t of tensors) {
      const count = t.shape.reduce((a, b) => a * b, 1);
      const buf = Buffer.alloc(count * width);
      if (options.trainedNorms && /norm\.weight$/i.test(t.name)) {
        for (let i = 0; i < count; i++) buf.writeFloatLE(1, i * 4);
        writeSync(fd, buf);
        continue;
      }
      if (options.trainedNorms && t.name.endsWith('.bias')) {
        writeSync(fd, buf);
        continue;
      }
      for (let i = 0; i < count; i++) {
        // xorshift32: every bit varies (a linear congruential generator's low bits repeat within a few hundred steps).
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        seed >>>= 0;
        if (dtype === 'F32') buf.writeFloatLE(((seed >>> 8) / 2 ** 24 - 0.5) * 0.1, i * 4);
        else buf.writeUInt16LE(((seed >>> 31) << 15) | ((5 + ((seed >>> 16) % 10)) << 10) | (seed & 0x3ff), i * 2);
      }
      writeSync(fd, buf);
    }
  } finally {
    closeSync(fd);
  }
  return 8 + json.length + offset;
}
