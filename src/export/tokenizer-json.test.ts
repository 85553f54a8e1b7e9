import { beforeAll, describe, expect, it } from 'vitest';
// The judge: the tokenizer transformers.js runs, loading the file as a user's page would.
import { Tokenizer } from '@huggingface/tokenizers';
import { tokenizerConfigJson, tokenizerJson, specialTokensMap } from './tokenizer-json';
import { pairSequences, singleSequences } from '../model/pretrained/sequences';
import { bertBaseUncasedVocab, parseVocabText, WordPieceTokenizer } from '../text/wordpiece';
import { fixtureBytes, fixtureTexts } from '../testing/fixtures';
import { hfExpected } from '../testing/hf-fixtures';

/** Hand-written corners: multi-byte text, accents, CJK, punctuation, white space and control characters, long words. */
const HAND_WRITTEN = [
  '',
  '   \t\n ',
  'Héllo Wörld, ÉCOLE ÉLÉMENTAIRE',
  'Ångström naïve café résumé Çà São Paulo Zürich Kraków',
  'Türkçe İstanbul ılık Tiếng Việt có dấu',
  'Ελληνικά κείμενο με τόνους Привет, мир! Ёлка',
  '中文分词测试 混合 mixed 文字 text 北京is a city',
  '日本語のテキストとカタカナ 한국어 텍스트입니다',
  'عربي نص עברית हिन्दी पाठ ไทย ภาษา',
  '😀 emoji 🎉 party 👍🏽 I ❤ NY',
  '"quoted" (parens) [brackets] {braces} <angles> a.b,c;d:e!f?g',
  '$100 + 50% = 150€ ~ ^ | ` \\ @user #hashtag ____ __init__',
  '«guillemets» „Anführung“ ‘single’ “double” ¿Qué? ¡Sí! —–-',
  "don't stop: rock'n'roll, it's 5 o'clock, A.I. e.g.",
  'zero\u200bwidth soft\u00adhyphen non\u00a0breaking ideographic\u3000space',
  'control\u0001chars\u0007 replacement\ufffdchar line\u2028sep para\u2029sep next\u0085line vertical\u000btab',
  'x² + y³ = z½ ﬁ ligature Ⅻ ＦＵＬＬＷＩＤＴＨ ℃ µ Ω',
  'unbelievably antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis',
  'a'.repeat(100),
  'a'.repeat(101) + ' after',
  'é'.repeat(100) + ' ' + 'é'.repeat(101),
  '😀'.repeat(101),
  '##notapiece [cls] [sep] [pad]',
];

const FIXTURE_QUERIES = [...fixtureTexts('msmarco-sample/queries.tsv'), ...fixtureTexts('nq-sample/queries.tsv')];
const FIXTURE_PASSAGES = [...fixtureTexts('msmarco-sample/collection.tsv'), ...fixtureTexts('nq-sample/collection.tsv')];

const HF_TINY = ['bert-dot', 'distilbert-dot', 'bert-cross-encoder'];

/** The studio's sequences, as its students see them: `[CLS] t [SEP]` and `[CLS] q [SEP] p [SEP]`, nothing cut. */
function studioSingle(wp: WordPieceTokenizer, text: string): number[] {
  const tokens = wp.tokenize(text);
  return Array.from(singleSequences([tokens], tokens.length + 2, wp.specials).ids);
}

function studioPair(wp: WordPieceTokenizer, query: string, passage: string): { ids: number[]; types: number[] } {
  const q = wp.tokenize(query);
  const p = wp.tokenize(passage);
  const batch = pairSequences([q], [p], q.length + p.length, wp.specials);
  return { ids: Array.from(batch.ids), types: Array.from(batch.types) };
}

/** Every text (and every passage paired with a query) where the exported tokenizer and the studio disagree. */
function disagreements(vocab: readonly string[]): string[] {
  const wp = new WordPieceTokenizer(vocab);
  const exported = new Tokenizer(JSON.parse(JSON.stringify(tokenizerJson(vocab))), tokenizerConfigJson(vocab, { tokenizerClass: 'BertTokenizer', modelMaxLength: 512 }));
  const out: string[] = [];
  for (const text of [...HAND_WRITTEN, ...FIXTURE_QUERIES, ...FIXTURE_PASSAGES]) {
    const want = studioSingle(wp, text);
    const got = exported.encode(text);
    if (JSON.stringify(got.ids) !== JSON.stringify(want)) out.push(`${JSON.stringify(text.slice(0, 80))}: studio ${JSON.stringify(wp.tokensOf(want))}, tokenizer.json ${JSON.stringify(got.tokens)}`);
  }
  // Every passage once, each with a query in turn (the cat student's input), and the hand-written cases as queries.
  const queries = [...FIXTURE_QUERIES, ...HAND_WRITTEN];
  FIXTURE_PASSAGES.forEach((passage, i) => {
    const query = queries[i % queries.length] as string;
    const want = studioPair(wp, query, passage);
    const got = exported.encode(query, { text_pair: passage, return_token_type_ids: true });
    if (JSON.stringify(got.ids) !== JSON.stringify(want.ids) || JSON.stringify(got.token_type_ids) !== JSON.stringify(want.types)) {
      out.push(`pair ${JSON.stringify(query.slice(0, 40))} / ${JSON.stringify(passage.slice(0, 40))}`);
    }
  });
  return out;
}

describe('tokenizer.json: the studio WordPiece as transformers.js loads it', () => {
  let bertBase: string[];
  beforeAll(async () => {
    bertBase = await bertBaseUncasedVocab();
  });

  it('gives the studio\'s ids on every fixture text, pair and hand-written case: bert-base-uncased', () => {
    expect(FIXTURE_PASSAGES.length).toBe(260 + 986);
    expect(disagreements(bertBase)).toEqual([]);
  });

  it.each(HF_TINY)('gives the studio\'s ids on every fixture text, pair and hand-written case: hf-tiny/%s\'s vocab.txt', (folder) => {
    const vocab = parseVocabText(fixtureBytes(`hf-tiny/${folder}/vocab.txt`).toString('utf8'));
    expect(disagreements(vocab)).toEqual([]);
  });

  it('gives the ids Python transformers gave for hf-tiny/expected.json (queries cut at 16, passages at 48, pairs at 64)', () => {
    const e = hfExpected();
    const vocab = parseVocabText(fixtureBytes('hf-tiny/bert-dot/vocab.txt').toString('utf8'));
    const t = new Tokenizer(tokenizerJson(vocab), {});
    const [cls, sep] = [vocab.indexOf('[CLS]'), vocab.indexOf('[SEP]')];
    // The reference keeps the first tokens of a text that does not fit: [CLS], then as many as fit, then [SEP].
    const body = (text: string) => t.encode(text, { add_special_tokens: false }).ids;
    const cut = (ids: number[], max: number) => [cls, ...ids.slice(0, max - 2), sep];
    e.pairs.forEach(({ query, passage }, i) => {
      expect(cut(body(query), 16)).toEqual(e.query_ids[i]);
      expect(cut(body(passage), 48)).toEqual(e.passage_ids[i]);
      // The reference's pairs keep 16 query tokens (specials not counted) and give the passage the rest of 64; the
      // exported file's untruncated pair, cut the same way, must give its ids and token types.
      const pair = t.encode(query, { text_pair: passage, return_token_type_ids: true });
      const q = body(query).slice(0, 16);
      const p = body(passage).slice(0, 64 - 3 - q.length);
      expect(pair.ids).toEqual([cls, ...body(query), sep, ...body(passage), sep]);
      expect(pair.token_type_ids).toEqual([0, ...body(query).map(() => 0), 0, ...body(passage).map(() => 1), 1]);
      expect([cls, ...q, sep, ...p, sep]).toEqual(e.pair_ids[i]);
      expect([0, ...q.map(() => 0), 0, ...p.map(() => 1), 1]).toEqual(e.pair_token_types[i]);
    });
  });

  // Where the two differ, each case is written out with the reason, so a change on either side shows here.
  it('differs from the studio on special tokens typed into the text: transformers reads them as specials', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', '[', ']', 'sep'];
    const studio = new WordPieceTokenizer(vocab);
    const exported = new Tokenizer(tokenizerJson(vocab), {});
    // Every Hugging Face BERT tokenizer (Python's too) takes "[SEP]" in a text as the separator; the studio treats a
    // text as text. Passages that spell out a special token are the only ones the two read differently.
    expect(exported.encode('a [SEP] b').tokens).toEqual(['[CLS]', 'a', '[SEP]', 'b', '[SEP]']);
    expect(studio.tokensOf(studio.encode('a [SEP] b'))).toEqual(['[CLS]', 'a', '[', 'sep', ']', 'b', '[SEP]']);
    // Lower-case or spaced variants are plain text for both (the added tokens are matched before normalisation).
    expect(exported.encode('a [sep] b').ids).toEqual(Array.from(studio.encode('a [sep] b')));
  });

  it('differs from the studio on CJK ideographs outside the Basic Multilingual Plane: a tokenizers.js 0.2 defect', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', 'b'];
    const studio = new WordPieceTokenizer(vocab);
    const exported = new Tokenizer(tokenizerJson(vocab), {});
    // U+20000 is a CJK Extension B ideograph. BERT (and the Rust tokenizers Python uses) set it apart as a word of its
    // own, as the studio does; tokenizers.js looks at UTF-16 code units, misses it, and the whole word becomes [UNK].
    expect(studio.tokensOf(studio.encode('a\u{20000}b'))).toEqual(['[CLS]', 'a', '[UNK]', 'b', '[SEP]']);
    expect(exported.encode('a\u{20000}b').tokens).toEqual(['[CLS]', '[UNK]', '[SEP]']);
    // Set apart by spaces, both agree.
    expect(exported.encode('a \u{20000} b').ids).toEqual(Array.from(studio.encode('a \u{20000} b')));
  });

  it('wraps one text as [CLS] a [SEP] and a pair as [CLS] a [SEP] b [SEP], the second text and its [SEP] of type 1', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'what', 'is', 'margin', '##s', '?'];
    const t = new Tokenizer(tokenizerJson(vocab), tokenizerConfigJson(vocab, { tokenizerClass: 'BertTokenizer', modelMaxLength: 16 }));
    expect(t.encode('What is').ids).toEqual([2, 5, 6, 3]);
    // [CLS] what is ? [SEP] margin ##s [SEP]
    const pair = t.encode('What is?', { text_pair: 'Margins', return_token_type_ids: true });
    expect(pair.ids).toEqual([2, 5, 6, 9, 3, 7, 8, 3]);
    expect(pair.token_type_ids).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(t.decode(pair.ids, { skip_special_tokens: true })).toBe('what is? margins');
    expect(t.encode('zzz').tokens).toEqual(['[CLS]', '[UNK]', '[SEP]']);
  });

  it('states the studio\'s settings and only the special tokens the vocabulary has', () => {
    const vocab = ['[PAD]', 'x', '[UNK]', '[CLS]', '[SEP]'];
    const json = tokenizerJson(vocab);
    expect(json.normalizer).toEqual({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: true });
    expect(json.model).toMatchObject({ type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100 });
    expect(json.model.vocab).toEqual({ '[PAD]': 0, x: 1, '[UNK]': 2, '[CLS]': 3, '[SEP]': 4 });
    expect(json.added_tokens.map((a) => [a.id, a.content])).toEqual([[0, '[PAD]'], [2, '[UNK]'], [3, '[CLS]'], [4, '[SEP]']]);
    expect(json.post_processor.special_tokens).toEqual({ '[CLS]': { id: '[CLS]', ids: [3], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [4], tokens: ['[SEP]'] } });
    expect(specialTokensMap(vocab)).toEqual({ unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]' });
    expect(tokenizerConfigJson(vocab, { tokenizerClass: 'DistilBertTokenizer', modelMaxLength: 50 })).toMatchObject({ tokenizer_class: 'DistilBertTokenizer', do_lower_case: true, model_max_length: 50, cls_token: '[CLS]' });
  });

  it('refuses a vocabulary it cannot write: a token twice, a special token missing, a bad length', () => {
    expect(() => tokenizerJson(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', 'a'])).toThrow('cannot write tokenizer.json: the token "a" is in the vocabulary twice (ids 4 and 5)');
    expect(() => tokenizerJson(['[PAD]', '[UNK]', '[CLS]'])).toThrow('cannot write tokenizer.json: the vocabulary has no [SEP] token');
    expect(() => tokenizerConfigJson(['[PAD]'], { tokenizerClass: 'BertTokenizer', modelMaxLength: 1.5 })).toThrow(/model_max_length must be a whole number of at least 2, got 1.5/);
  });

  it('keeps a token spelt like an object property an ordinary vocabulary entry', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '__proto__', 'constructor'];
    const parsed = JSON.parse(JSON.stringify(tokenizerJson(vocab))) as { model: { vocab: Record<string, number> } };
    expect(Object.entries(parsed.model.vocab)).toContainEqual(['__proto__', 4]);
  });
});
