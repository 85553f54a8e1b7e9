/**
 * Vocabulary-free tokenizers: lower-cased words and numbers, each hashed (FNV-1a) into a fixed number of buckets.
 * They need no vocabulary file and their ids are stable across machines, so stored token arrays stay valid.
 * Collisions are the cost: with 2^13 buckets and a corpus vocabulary of a few thousand words, a few percent of
 * words share an id.
 *
 * `hash-words` hashes whole words, which suits languages that separate words with spaces. `hash-grams` also
 * covers scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese): a run of such characters
 * becomes its overlapping character trigrams (a run of one or two characters stays whole). On text of spaced
 * scripts the two give the same ids.
 */
export const PAD_ID = 0;
export const CLS_ID = 1;
export const SEP_ID = 2;
/** Ids below this are reserved for the special tokens above. */
export const FIRST_WORD_ID = 4;

export interface HashingTokenizerSpec {
  kind: 'hash-words' | 'hash-grams';
  buckets: number;
}

export function tokenizerId(spec: HashingTokenizerSpec): string {
  return `${spec.kind}-v1:${spec.buckets}`;
}

/** The embedding table size a stored tokenizer id implies. */
export function parseHashingTokenizerId(tokenizer: string): HashingTokenizerSpec | null {
  const m = /^(hash-words|hash-grams)-v1:(\d+)$/.exec(tokenizer);
  return m ? { kind: m[1] as HashingTokenizerSpec['kind'], buckets: Number(m[2]) } : null;
}

// Letters and digits of any script, with inner apostrophes kept ("don't" is one word).
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

export function splitWords(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}

export function hashWord(word: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return FIRST_WORD_ID + ((h >>> 0) % (buckets - FIRST_WORD_ID));
}

function checkBuckets(buckets: number): void {
  if (!Number.isInteger(buckets) || buckets <= FIRST_WORD_ID) {
    throw new Error(`hashing tokenizer: buckets must be an integer above ${FIRST_WORD_ID}, got ${buckets}`);
  }
}

export function tokenize(text: string, spec: HashingTokenizerSpec): Int32Array {
  checkBuckets(spec.buckets);
  return tokenizeAscii(text, spec.buckets) ?? tokenizeAnyText(text, spec);
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The same ids as `tokenizeAnyText` for pure-ASCII text, by the byte scan below without building word strings: NFKC leaves ASCII
 * alone, lower-casing is +32, and letters and digits are the only word characters. The regular-expression path
 * took 1.5 s of the 3.9 s the import worker spent on a 250,000-passage collection. Returns null at the first
 * non-ASCII character, and the caller takes the general path.
 */
function tokenizeAscii(text: string, buckets: number): Int32Array | null {
  // ASCII text encodes to one byte a character; any other character to bytes of 128 and above, which stop the scan.
  const bytes = asciiEncoder.encode(text);
  const out = new Int32Array((bytes.length >> 1) + 1);
  const n = tokenizeAsciiBytes(bytes, 0, bytes.length, buckets, out, 0);
  return n < 0 ? null : out.slice(0, n);
}

const asciiEncoder = new TextEncoder();

/**
 * The ASCII scan over UTF-8 bytes, writing into `out` from `at`: the importer's path for collections, which never
 * decodes an ASCII line into a string nor allocates per row. `out` needs room for `((end - start) >> 1) + 1` ids
 * (a word takes a byte and the separator after it). Returns how many ids it wrote, or -1 at the first byte that is
 * not ASCII (the caller then decodes the text and takes the general path).
 */
export function tokenizeAsciiBytes(buf: Uint8Array, start: number, end: number, buckets: number, out: Int32Array, at: number): number {
  checkBuckets(buckets);
  let n = at;
  let h = 0;
  let inWord = false;
  const span = buckets - FIRST_WORD_ID;
  for (let i = start; i < end; i++) {
    let c = buf[i] as number;
    if (c >= 128) return -1;
    if (isAsciiWordChar(c)) {
      if (c <= 90 && c >= 65) c += 32;
      if (!inWord) {
        h = 0x811c9dc5;
        inWord = true;
      }
      h = Math.imul(h ^ c, 0x01000193);
    } else if (c === 39 && inWord && i + 1 < end && isAsciiWordChar(buf[i + 1] as number)) {
      h = Math.imul(h ^ c, 0x01000193);
    } else if (inWord) {
      out[n++] = FIRST_WORD_ID + ((h >>> 0) % span);
      inWord = false;
    }
  }
  if (inWord) out[n++] = FIRST_WORD_ID + ((h >>> 0) % span);
  return n - at;
}

const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;

/** A word's units for `hash-grams`: its parts in spaced scripts whole, runs of unspaced scripts as trigrams. */
export function gramUnits(word: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (const m of word.matchAll(UNSPACED)) {
    if (m.index > at) out.push(word.slice(at, m.index));
    const chars = Array.from(m[0]);
    if (chars.length <= 2) out.push(m[0]);
    else for (let i = 0; i + 3 <= chars.length; i++) out.push(chars.slice(i, i + 3).join(''));
    at = m.index + m[0].length;
  }
  if (at < word.length) out.push(word.slice(at));
  return out;
}

/** The general path: any script, Unicode-normalised. */
export function tokenizeAnyText(text: string, spec: HashingTokenizerSpec): Int32Array {
  const words = splitWords(text);
  const units = spec.kind === 'hash-grams' ? words.flatMap(gramUnits) : words;
  const ids = new Int32Array(units.length);
  for (let i = 0; i < units.length; i++) ids[i] = hashWord(units[i] as string, spec.buckets);
  return ids;
}
