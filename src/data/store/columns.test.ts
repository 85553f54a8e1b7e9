import { describe, expect, it } from 'vitest';
import { concatChunks, textAt, textColumns, tokensAt } from './columns';

const tok = (text: string) => Int32Array.from(text.split(' ').filter(Boolean), (w) => w.length);

describe('text columns', () => {
  it('round-trips texts (multi-byte too) and tokens', () => {
    const cols = textColumns([{ id: 7, text: 'naïve café' }, { id: 9, text: '' }, { id: 3, text: '東京 tower' }], tok);
    expect(Array.from(cols.id)).toEqual([7, 9, 3]);
    expect([0, 1, 2].map((r) => textAt(cols, r))).toEqual(['naïve café', '', '東京 tower']);
    // Every row's tokens, the multi-byte ones too: words of 5 and 4 letters, none, then 2 (東京) and 5 (tower).
    expect([0, 1, 2].map((r) => Array.from(tokensAt(cols, r)))).toEqual([[5, 4], [], [2, 5]]);
    expect(Array.from(cols.tokOffsets)).toEqual([0, 2, 2, 4]);
    // Text offsets count UTF-8 bytes, not letters: ï and é take 2 bytes each (10 letters, 12 bytes), 東 and 京 3
    // each (6 + 1 + 5 = 12 bytes).
    expect(Array.from(cols.textOffsets)).toEqual([0, 12, 12, 24]);
  });

  it('joins chunks with their offsets rebased', () => {
    const a = textColumns([{ id: 1, text: 'a bb' }, { id: 2, text: 'ccc' }], tok);
    const b = textColumns([{ id: 3, text: 'dddd e' }], tok);
    const c = textColumns([{ id: 4, text: 'ff' }], tok);
    const joined = concatChunks('passages', [a, b, c]);
    expect(Array.from(joined.id)).toEqual([1, 2, 3, 4]);
    expect([0, 1, 2, 3].map((r) => textAt(joined, r))).toEqual(['a bb', 'ccc', 'dddd e', 'ff']);
    expect([0, 1, 2, 3].map((r) => Array.from(tokensAt(joined, r)))).toEqual([[1, 2], [3], [4, 1], [2]]);
    expect(joined.tokOffsets).toHaveLength(5);
  });

  it('joins plain columns', () => {
    const joined = concatChunks('qrels', [
      { qid: Int32Array.of(1), pid: Int32Array.of(2), grade: Int32Array.of(3) },
      { qid: Int32Array.of(4, 5), pid: Int32Array.of(6, 7), grade: Int32Array.of(1, 0) },
    ]);
    expect(Array.from(joined.pid)).toEqual([2, 6, 7]);
    expect(joined.grade).toBeInstanceOf(Int32Array);
  });
});
