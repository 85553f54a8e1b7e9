/**
 * The studio's WordPiece tokenizer (text/wordpiece.ts) written as the `tokenizers` library's `tokenizer.json`, the
 * one file transformers.js (and Python's fast tokenizers) load a tokenizer from, and the `tokenizer_config.json`
 * beside it. Every setting states what the studio does, not a library default, so the file keeps meaning the same
 * if a default changes: clean the text, set CJK characters apart, lower-case and strip accents, split on white
 * space and punctuation, greedy longest-match pieces with `##`, `[UNK]` for a word over 100 characters.
 * `[CLS] a [SEP]` for one text and `[CLS] a [SEP] b [SEP]` (b and its `[SEP]` of token type 1) for a pair, as
 * model/pretrained/sequences.ts builds them. Plain data, no tfjs.
 *
 * Two known differences from the studio (tokenizer-json.test.ts writes each out): a special token typed into a
 * text ("[SEP]") is the special token here, as in every Hugging Face BERT tokenizer, and three characters of text to
 * the studio; and tokenizers.js 0.2 does not set apart CJK ideographs outside the Basic Multilingual Plane.
 */

// The studio's WordPiece settings (text/wordpiece.ts; export/ may not import text/). The tests tokenize words of 100
// and 101 characters and pieces inside words with both tokenizers, so a change on one side alone fails there.
const MAX_WORD_CHARS = 100;
const CONTINUATION = '##';

/** The special tokens a BERT vocabulary has, under the names `transformers` gives them. */
const SPECIAL_TOKENS = { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' } as const;
const REQUIRED = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

export interface AddedToken {
  id: number;
  content: string;
  single_word: false;
  lstrip: false;
  rstrip: false;
  /** Matched in the raw text, before lower-casing: `[cls]` is a word, `[CLS]` the special token. */
  normalized: false;
  special: true;
}

type TemplatePiece = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: 'A' | 'B'; type_id: number } };

export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: AddedToken[];
  normalizer: { type: 'BertNormalizer'; clean_text: true; handle_chinese_chars: true; strip_accents: true; lowercase: true };
  pre_tokenizer: { type: 'BertPreTokenizer' };
  post_processor: {
    type: 'TemplateProcessing';
    single: TemplatePiece[];
    pair: TemplatePiece[];
    special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
  };
  decoder: { type: 'WordPiece'; prefix: string; cleanup: true };
  model: { type: 'WordPiece'; unk_token: '[UNK]'; continuing_subword_prefix: string; max_input_chars_per_word: number; vocab: Record<string, number> };
}

/** Token -> id; refuses what a JSON object cannot say (a token on two lines) and a vocabulary without the specials. */
function vocabMap(vocab: readonly string[]): Map<string, number> {
  const ids = new Map<string, number>();
  vocab.forEach((token, id) => {
    const first = ids.get(token);
    // The studio's tokenizer would use the first id; tokenizer.json maps each token to one id, so say so rather than pick.
    if (first !== undefined) throw new Error(`cannot write tokenizer.json: the token "${token}" is in the vocabulary twice (ids ${first} and ${id})`);
    ids.set(token, id);
  });
  for (const s of REQUIRED) if (!ids.has(s)) throw new Error(`cannot write tokenizer.json: the vocabulary has no ${s} token`);
  return ids;
}

/** The `tokenizer.json` of the studio's lower-casing WordPiece tokenizer over `vocab` (ids are line numbers). */
export function tokenizerJson(vocab: readonly string[]): TokenizerJson {
  const ids = vocabMap(vocab);
  const id = (token: string) => ids.get(token) as number;
  const special = (token: string, typeId: number): TemplatePiece => ({ SpecialToken: { id: token, type_id: typeId } });
  const added = Object.values(SPECIAL_TOKENS)
    .filter((t) => ids.has(t))
    .map((content): AddedToken => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);
  // Object.fromEntries defines own properties, so even a token spelt "__proto__" stays an ordinary key.
  const vocabObject = Object.fromEntries(ids);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]', 0)],
      pair: [special('[CLS]', 0), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]', 0), { Sequence: { id: 'B', type_id: 1 } }, special('[SEP]', 1)],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: CONTINUATION, cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: CONTINUATION, max_input_chars_per_word: MAX_WORD_CHARS, vocab: vocabObject },
  };
}

export interface TokenizerConfigOptions {
  /** `BertTokenizer` or `DistilBertTokenizer`: the same WordPiece; the class names the model family. */
  tokenizerClass: 'BertTokenizer' | 'DistilBertTokenizer';
  /** The longest sequence the model was trained on, specials counted (what sentence-transformers calls max_seq_length). */
  modelMaxLength: number;
}

/**
 * `tokenizer_config.json`: the slow tokenizer's settings, which agree with tokenizer.json (lower-cased, accents
 * stripped, CJK set apart), the special tokens the vocabulary has, and the longest input the model was trained on.
 */
export function tokenizerConfigJson(vocab: readonly string[], { tokenizerClass, modelMaxLength }: TokenizerConfigOptions): Record<string, unknown> {
  if (!Number.isInteger(modelMaxLength) || modelMaxLength < 2) throw new Error(`cannot write tokenizer_config.json: model_max_length must be a whole number of at least 2, got ${modelMaxLength}`);
  return {
    tokenizer_class: tokenizerClass,
    do_lower_case: true,
    // null: accents go with lower-casing, as BertTokenizer does unless told otherwise.
    strip_accents: null,
    tokenize_chinese_chars: true,
    clean_up_tokenization_spaces: true,
    model_max_length: modelMaxLength,
    ...specialTokensMap(vocab),
  };
}

/** `special_tokens_map.json`: the special tokens the vocabulary has. */
export function specialTokensMap(vocab: readonly string[]): Partial<Record<keyof typeof SPECIAL_TOKENS, string>> {
  const has = new Set(vocab);
  return Object.fromEntries(Object.entries(SPECIAL_TOKENS).filter(([, t]) => has.has(t)));
}
