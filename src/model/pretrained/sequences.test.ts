import { describe, expect, it } from 'vitest';
import { parseVocabText, WordPieceTokenizer } from '../../text/wordpiece';
import { checkLengths, pairSequences, singleSequences } from './sequences';
import { studentOf } from '../students/registry';
import { fileText, fixtureFolder, hfExpected } from '../../testing/hf-fixtures';

const S = { cls: 101, sep: 102 };

/** Row r of a batch, with its padding cut off by the mask. */
function row(b: { length: number; ids: Int32Array; mask: Float32Array; types: Int32Array }, r: number) {
  const at = r * b.length;
  const n = b.mask.subarray(at, at + b.length).reduce((a, m) => a + m, 0);
  return { ids: Array.from(b.ids.subarray(at, at + n)), types: Array.from(b.types.subarray(at, at + n)), tail: Array.from(b.ids.subarray(at + n, at + b.length)) };
}

describe('single sequences', () => {
  it('puts [CLS] first and [SEP] after the tokens, pads with 0 and masks real positions only', () => {
    const b = singleSequences([[5, 6, 7], [8]], 6, S);
    expect(b.length).toBe(6);
    expect(Array.from(b.ids)).toEqual([101, 5, 6, 7, 102, 0, 101, 8, 102, 0, 0, 0]);
    expect(Array.from(b.mask)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(b.types)).toEqual(new Array(12).fill(0));
  });

  it('cuts the tokens so that the whole sequence, specials included, fits the maximum', () => {
    const b = singleSequences([[1, 2, 3, 4, 5, 6]], 4, S);
    expect(Array.from(b.ids)).toEqual([101, 1, 2, 102]);
    expect(Array.from(singleSequences([[]], 2, S).ids)).toEqual([101, 102]);
  });

  it('pads only to the longest row when asked', () => {
    const b = singleSequences([[5], [6, 7]], 10, S, 'longest');
    expect(b.length).toBe(4);
    expect(Array.from(b.ids)).toEqual([101, 5, 102, 0, 101, 6, 7, 102]);
  });

  it('masks a token id 0 inside a text as real: masks come from lengths, not ids', () => {
    expect(Array.from(singleSequences([[0, 9]], 5, S).mask)).toEqual([1, 1, 1, 1, 0]);
  });

  it('refuses a maximum with no room for the specials', () => {
    expect(() => singleSequences([[1]], 1, S)).toThrow('a sequence needs room for [CLS] and [SEP]: maxLength 1');
  });
});

describe('pair sequences', () => {
  it('joins [CLS] q [SEP] p [SEP] with token types 0 for the query part and 1 for the passage part', () => {
    const b = pairSequences([[5, 6]], [[7, 8, 9]], 7, S);
    expect(Array.from(b.ids)).toEqual([101, 5, 6, 102, 7, 8, 9, 102, 0, 0]);
    expect(Array.from(b.types)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(b.mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('cuts longest-first: a short query leaves its room to a long passage, a long query keeps what a short passage leaves', () => {
    // Budget 6 (9 positions): 1 query token leaves 5 to the passage.
    expect(Array.from(pairSequences([[1]], [[6, 7, 8, 9, 10, 11]], 6, S).ids)).toEqual([101, 1, 102, 6, 7, 8, 9, 10, 102]);
    // 5 + 6 tokens in 6: both are longer than half, 3 each.
    expect(Array.from(pairSequences([[1, 2, 3, 4, 5]], [[6, 7, 8, 9, 10, 11]], 6, S).ids)).toEqual([101, 1, 2, 3, 102, 6, 7, 8, 102]);
    // 5 + 1 tokens in 6: the query keeps all 5, more than any fixed query length under the budget would.
    expect(Array.from(pairSequences([[1, 2, 3, 4, 5]], [[6]], 6, S).ids)).toEqual([101, 1, 2, 3, 4, 5, 102, 6, 102]);
    // 4 + 4 in 7: a tie gives the odd token to the passage, as the library does.
    expect(Array.from(pairSequences([[1, 2, 3, 4]], [[6, 7, 8, 9]], 7, S).ids)).toEqual([101, 1, 2, 3, 102, 6, 7, 8, 9, 102]);
  });

  it('pads to the longest row when asked, each row cut on its own', () => {
    const b = pairSequences([[1], [1, 2, 3, 4, 5, 6, 7, 8]], [[9, 9], [6, 7]], 20, S, 'longest');
    expect(b.length).toBe(13);
    expect(Array.from(b.ids.subarray(0, 13))).toEqual([101, 1, 102, 9, 9, 102, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses mismatched lists and a budget that is not a whole number', () => {
    expect(() => pairSequences([[1]], [], 6, S)).toThrow('1 queries but 0 passages');
    expect(() => pairSequences([[1]], [[2]], -1, S)).toThrow("a pair's budget of query and passage tokens must be a whole number of at least 0, got -1");
  });
});

describe('against the hf-tiny reference ids, tokenized with the project WordPiece tokenizer', () => {
  const expected = hfExpected();
  const vocab = parseVocabText(fileText(fixtureFolder('bert-dot'), 'vocab.txt'));
  const wp = new WordPieceTokenizer(vocab);
  const specials = { cls: wp.specials.cls, sep: wp.specials.sep };
  const queries = expected.pairs.map((p) => wp.tokenize(p.query));
  const passages = expected.pairs.map((p) => wp.tokenize(p.passage));

  it('gives query_ids (16 with specials) and passage_ids (48 with specials)', () => {
    const q = singleSequences(queries, 16, specials);
    const p = singleSequences(passages, 48, specials);
    expected.query_ids.forEach((ids, r) => expect(row(q, r).ids).toEqual(ids));
    expected.passage_ids.forEach((ids, r) => expect(row(p, r).ids).toEqual(ids));
    expect(row(q, 4).tail).toEqual(new Array(16 - 7).fill(0));
  });

  it('gives pair_ids and pair_token_types: queries first cut at 16 tokens as the reference cut them, pairs at 64 positions', () => {
    // The reference pairs were made from queries cut at 16 tokens, the passage given the rest of 64 positions. A
    // 16-token query is under half of the 61-token budget, so longest-first keeps it whole and gives the passage the
    // rest too: the same pairs (the rule itself is held to the tokenizers library in text/pair-cut.test.ts).
    const b = pairSequences(queries.map((q) => q.slice(0, 16)), passages, 61, specials);
    expected.pair_ids.forEach((ids, r) => expect(row(b, r).ids).toEqual(ids));
    expected.pair_token_types.forEach((types, r) => expect(row(b, r).types).toEqual(types));
  });
});

describe('checkLengths', () => {
  const model = { dims: { maxPositions: 128 } };
  it('allows lengths that fit the position table, specials included', () => {
    expect(() => checkLengths(model, 16, 126, studentOf('dot'))).not.toThrow();
    expect(() => checkLengths(model, 16, 109, studentOf('cat'))).not.toThrow();
  });

  it('refuses lengths over max_position_embeddings, counting the specials each architecture adds', () => {
    expect(() => checkLengths(model, 16, 127, studentOf('dot'))).toThrow("127 passage tokens + [CLS] + [SEP] = 129 positions, over the model's 128 (max_position_embeddings in config.json)");
    expect(() => checkLengths(model, 200, 10, studentOf('colbert'))).toThrow('200 query tokens + [CLS] + [SEP] = 202 positions');
    expect(() => checkLengths(model, 16, 110, studentOf('cat'))).toThrow("[CLS] + 16 query tokens + [SEP] + 110 passage tokens + [SEP] = 129 positions, over the model's 128");
    expect(() => checkLengths(model, 16, 110, studentOf('prett'))).toThrow('= 129 positions');
  });
});
