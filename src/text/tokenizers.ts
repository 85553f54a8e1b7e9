/**
 * Every tokenizer a dataset can be imported with, behind one interface. A dataset stores the id of the tokenizer
 * that produced its token ids (and, for a vocabulary the user imported, the vocabulary itself), so training,
 * evaluation and later additions rebuild exactly that tokenizer.
 */
import { CLS_ID, parseHashingTokenizerId, SEP_ID, tokenize as hashTokenize, tokenizeAsciiBytes, tokenizerId as hashingId } from './hashing';
import { bertBaseUncasedVocab, WordPieceTokenizer } from './wordpiece';

export const TOKENIZER_CHOICES = ['hash-words', 'hash-grams', 'bert-base-uncased'] as const;
export type TokenizerChoice = (typeof TOKENIZER_CHOICES)[number];

export const TOKENIZER_LABELS: Record<TokenizerChoice, string> = {
  'hash-words': 'hashed words (no vocabulary, 8,192 buckets)',
  'hash-grams': 'hashed words + character trigrams for unspaced scripts (8,192 buckets)',
  'bert-base-uncased': 'BERT WordPiece, bert-base-uncased vocabulary (30,522)',
};

export const DEFAULT_TOKENIZER: TokenizerChoice = 'hash-words';
const HASH_BUCKETS = 8192;
const BERT_BASE_ID = 'wordpiece-v1:bert-base-uncased';

/** What the students need to know of a tokenizer. */
export interface TokenizerInfo {
  id: string;
  /** Size of the embedding table its ids index. */
  vocabSize: number;
  /** Ids of the sequence-start and separator tokens (cross-encoders join query and passage with them). */
  cls: number;
  sep: number;
}

export interface TextTokenizer extends TokenizerInfo {
  /** Token ids of a text, without special tokens; padding (id 0) never occurs. */
  tokenize(text: string): Int32Array;
  /**
   * The same ids for an ASCII text given as bytes, written into `out` from `at` (room for `((end - start) >> 1) + 1`
   * ids); returns how many, or -1 when a byte is not ASCII. Only where it is much cheaper than decoding and
   * `tokenize` (the hashing tokenizers); importers fall back to `tokenize` without it.
   */
  tokenizeAscii?(bytes: Uint8Array, start: number, end: number, out: Int32Array, at: number): number;
}

export function isTokenizerChoice(value: unknown): value is TokenizerChoice {
  return typeof value === 'string' && (TOKENIZER_CHOICES as readonly string[]).includes(value);
}

export function tokenizerIdOf(choice: TokenizerChoice): string {
  if (choice === 'bert-base-uncased') return BERT_BASE_ID;
  return hashingId({ kind: choice, buckets: HASH_BUCKETS });
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The id of a WordPiece tokenizer over an imported vocabulary: its hash and size, so two vocabularies never mix. */
export function vocabTokenizerId(vocab: readonly string[]): string {
  return `wordpiece-v1:file-${fnv1a(vocab.join('\n'))}:${vocab.length}`;
}

function wordPiece(id: string, vocab: readonly string[]): TextTokenizer {
  const wp = new WordPieceTokenizer(vocab);
  return { id, vocabSize: wp.size, cls: wp.specials.cls, sep: wp.specials.sep, tokenize: (text) => wp.tokenize(text) };
}

/** Rebuilds the tokenizer a stored id names; `vocab` is the dataset's own vocabulary where it has one. */
export async function loadTokenizer(id: string, vocab?: readonly string[]): Promise<TextTokenizer> {
  const hashing = parseHashingTokenizerId(id);
  if (hashing) {
    const { buckets } = hashing;
    return {
      id,
      vocabSize: buckets,
      cls: CLS_ID,
      sep: SEP_ID,
      tokenize: (text) => hashTokenize(text, hashing),
      tokenizeAscii: (bytes, start, end, out, at) => tokenizeAsciiBytes(bytes, start, end, buckets, out, at),
    };
  }
  if (id === BERT_BASE_ID) return wordPiece(id, await bertBaseUncasedVocab());
  if (id.startsWith('wordpiece-v1:file-')) {
    if (!vocab) throw new Error(`the tokenizer ${id} needs the vocabulary imported with the dataset, and the dataset has none`);
    if (vocabTokenizerId(vocab) !== id) throw new Error(`the dataset's vocabulary does not match its tokenizer id ${id}`);
    return wordPiece(id, vocab);
  }
  throw new Error(`unknown tokenizer "${id}": this version of the studio cannot read it`);
}

export function tokenizerForVocab(vocab: readonly string[]): TextTokenizer {
  return wordPiece(vocabTokenizerId(vocab), vocab);
}

/** Only what training needs (sizes and special ids), without keeping a tokenizer around. */
export async function tokenizerInfo(id: string, vocab?: readonly string[]): Promise<TokenizerInfo> {
  const t = await loadTokenizer(id, vocab);
  return { id: t.id, vocabSize: t.vocabSize, cls: t.cls, sep: t.sep };
}

/**
 * What identifies a tokenizer's vocabulary in exported weights: for WordPiece, the SHA-256 of its `vocab.txt` (the
 * same digest `sha256sum vocab.txt` prints); hashing tokenizers have none.
 */
export async function vocabularyHash(id: string, vocab?: readonly string[]): Promise<string> {
  const hashing = parseHashingTokenizerId(id);
  if (hashing) return `none: words hashed into ${hashing.buckets} buckets`;
  const words = id === BERT_BASE_ID ? await bertBaseUncasedVocab() : vocab;
  if (!words) throw new Error(`the tokenizer ${id} needs its vocabulary`);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(words.join('\n') + '\n'));
  return `sha256:${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The embedding table size a stored tokenizer id implies, without loading anything; null if unknown. */
export function vocabSizeOf(id: string): number | null {
  const hashing = parseHashingTokenizerId(id);
  if (hashing) return hashing.buckets;
  if (id === BERT_BASE_ID) return 30522;
  const m = /^wordpiece-v1:file-[0-9a-f]{8}:(\d+)$/.exec(id);
  return m ? Number(m[1]) : null;
}
