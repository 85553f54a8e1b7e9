import { beforeAll, describe, expect, it } from 'vitest';
// The oracle: an independent WordPiece implementation, used only here.
import { Tokenizer } from '@huggingface/tokenizers';
import { bertBaseUncasedVocab, normalizeForBert, parseVocabText, splitForBert, vocabFromPrefixedForm, WordPieceTokenizer } from './wordpiece';
import { fixtureTexts as texts } from '../testing/fixtures';


/** Hand-written cases for the corners of BERT's basic tokenizer and of WordPiece. */
const TRICKY = [
  '',
  ' ',
  '   \t\n  ',
  '\r\n',
  'Héllo Wörld',
  'Ångström naïve café résumé Çà',
  'ÉCOLE ÉLÉMENTAIRE',
  'São Paulo, Zürich; Kraków!',
  'Ελληνικά κείμενο με τόνους',
  'Привет, мир! Ёлка',
  'don\'t stop: rock\'n\'roll',
  '"quoted" (parens) [brackets] {braces} <angles>',
  'a.b,c;d:e!f?g',
  '$100 + 50% = 150€ ~ ^ | ` \\',
  'e-mail: someone@example.com, http://example.org/path?q=1&r=2#frag',
  '3.14159 1,000,000 -42 +7 1e10 0x1F',
  '2024-11-28T10:00:00Z',
  '1st 2nd 3rd 4th 21st',
  '中文分词测试',
  '日本語のテキストとカタカナ',
  '한국어 텍스트입니다',
  '混合 mixed 文字 text',
  '北京is a city',
  '😀 emoji 🎉 party 👍🏽',
  'I ❤ NY ★ ☺',
  'unbelievably antidisestablishmentarianism supercalifragilisticexpialidocious',
  'pneumonoultramicroscopicsilicovolcanoconiosis',
  'a'.repeat(100),
  'a'.repeat(101),
  'x'.repeat(250) + ' short',
  'thequickbrownfoxjumpsoverthelazydog',
  '...!!!???',
  '—–- dashes — and – hyphens',
  '«guillemets» „Anführung“ ‘single’ “double”',
  '¿Qué? ¡Sí!',
  'tab\tseparated\tvalues',
  'zero\u200bwidth space',
  'soft\u00adhyphen',
  'non\u00a0breaking\u00a0space',
  'ideographic\u3000space',
  'control\u0001chars\u0007here',
  'replacement\ufffdchar',
  'line\u2028separator and paragraph\u2029separator',
  'byte\ufefforder mark and next\u0085line and vertical\u000btab',
  'COVID-19 SARS-CoV-2 mRNA',
  'C++ C# .NET F#',
  'x² + y³ = z½',
  'ﬁ ligature ﬂ',
  'Ⅻ roman ⅻ',
  'ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ',
  'What is the capital of France?',
  'how long does it take to boil an egg',
  'UPPER lower MiXeD',
  'hello',
  '##notapiece',
  'naïveté',
  'Türkçe İstanbul ılık',
  'عربي نص',
  'עברית',
  'हिन्दी पाठ',
  'ไทย ภาษา',
  'Tiếng Việt có dấu',
  '℃ ℉ ° µ Ω',
  '@user #hashtag',
  '____ underscores __init__',
  "it's 5 o'clock",
  'A.I. U.S.A. e.g. i.e.',
];

describe('WordPiece (bert-base-uncased)', () => {
  let vocab: string[];
  let ours: WordPieceTokenizer;
  let oracle: Tokenizer;

  beforeAll(async () => {
    vocab = await bertBaseUncasedVocab();
    ours = new WordPieceTokenizer(vocab);
    const tokenizerJson = {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [],
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
    };
    oracle = new Tokenizer(tokenizerJson, {});
  });

  it('restores vocab.txt from the prefixed form: 30,522 distinct entries with BERT special ids', () => {
    expect(vocab).toHaveLength(30522);
    expect(new Set(vocab).size).toBe(30522);
    expect(vocab.slice(0, 3)).toEqual(['[PAD]', '[unused0]', '[unused1]']);
    expect(ours.specials).toEqual({ pad: 0, unk: 100, cls: 101, sep: 102 });
    expect(vocab[999]).toBe('!');
    expect(vocab[1996]).toBe('the');
    expect(vocab[2015]).toBe('##s');
    expect(vocabFromPrefixedForm(['[PAD]', '\u2581', '\u2581the', 'ing'])).toEqual(['[PAD]', '[unused0]', 'the', '##ing']);
  });

  it('gives the oracle\'s ids on every fixture query, every fixture passage and the hand-written cases', () => {
    const strings = [
      ...texts('msmarco-sample/queries.tsv'),
      ...texts('nq-sample/queries.tsv'),
      ...TRICKY,
      ...texts('msmarco-sample/collection.tsv'),
      ...texts('nq-sample/collection.tsv'),
    ];
    expect(strings.length).toBeGreaterThanOrEqual(300);
    const mismatches: string[] = [];
    for (const s of strings) {
      const expected = oracle.encode(s).ids;
      const got = Array.from(ours.encode(s));
      if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push(`${JSON.stringify(s)}: ours ${JSON.stringify(ours.tokensOf(got))} oracle ${JSON.stringify(oracle.encode(s).tokens)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('cuts to the configured length and keeps [CLS] and [SEP]', () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    const full = oracle.encode(text).ids;
    for (const max of [2, 3, 5, 8, 64]) {
      const cut = full.length <= max ? full : [...full.slice(0, max - 1), 102];
      expect(Array.from(ours.encode(text, max))).toEqual(cut);
    }
    expect(() => ours.encode(text, 1)).toThrow(/room for \[CLS\] and \[SEP\]/);
  });

  it('marks the pieces of a long word and falls back to [UNK] for words it cannot cover or that are too long', () => {
    expect(ours.tokensOf(ours.tokenize('unaffable'))).toEqual(['una', '##ffa', '##ble']);
    expect(ours.tokensOf(ours.tokenize('a'.repeat(101)))).toEqual(['[UNK]']);
    expect(ours.tokensOf(ours.tokenize('😀'))).toEqual(['[UNK]']);
  });

  // Where the oracle departs from BERT's original basic tokenizer, the reference answer is written out.
  it('follows BERT where the oracle does not: CJK outside the Basic Multilingual Plane', () => {
    // U+20000 is a CJK Extension B ideograph: BERT sets it apart; the oracle looks at UTF-16 units and does not.
    expect(splitForBert(normalizeForBert('a\u{20000}b'))).toEqual(['a', '\u{20000}', 'b']);
    // Where both agree with BERT: control characters (U+0085, the vertical tab) are dropped, line separators split.
    expect(splitForBert(normalizeForBert('a\u0085b c\u000bd e\u2028f'))).toEqual(['ab', 'cd', 'e', 'f']);
  });

  it('reads a vocab.txt and refuses a broken one with file and line', () => {
    expect(parseVocabText('[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##s\n')).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', '##s']);
    const t = new WordPieceTokenizer(parseVocabText('[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n##s\r\n'));
    expect(Array.from(t.encode('Hellos there'))).toEqual([2, 4, 5, 1, 3]);
    expect(() => parseVocabText('[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nhello\n', 'v.txt')).toThrow('v.txt line 6: "hello" already appears on line 5');
    expect(() => parseVocabText('[PAD]\n[UNK]\n[CLS]\nhello\n', 'v.txt')).toThrow('v.txt: the vocabulary has no [SEP] token');
    expect(() => parseVocabText('[UNK]\n[PAD]\n[CLS]\n[SEP]\n', 'v.txt')).toThrow(/\[PAD\] must be the first line/);
    expect(() => parseVocabText('[PAD]\n\n[UNK]\n', 'v.txt')).toThrow('v.txt line 2: empty token');
    expect(() => parseVocabText('', 'v.txt')).toThrow('v.txt: the vocabulary is empty');
  });
});
