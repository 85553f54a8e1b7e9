import { describe, expect, it } from 'vitest';
import { FIRST_WORD_ID, splitWords, tokenize, tokenizeAnyText, tokenizeAsciiBytes } from './hashing';
import { fixtureTexts as texts } from '../testing/fixtures';

const spec = { kind: 'hash-words' as const, buckets: 8192 };


describe('hashing tokenizer', () => {
  it('splits lower-cased words and keeps inner apostrophes', () => {
    expect(splitWords("Don't STOP: rock'n'roll, 'quoted' a''b x' 42nd")).toEqual(["don't", 'stop', "rock'n'roll", 'quoted', 'a', 'b', 'x', '42nd']);
  });

  it('gives the same ids on the ASCII fast path as on the general path', () => {
    const tricky = ["Don't STOP: rock'n'roll, 'quoted' a''b x' 42nd", "it's", "'", "a'", "'a", 'MiXeD123case', 'tab\tand\nnewline', '', '   ', "o'", "don't'"];
    const all = [...tricky, ...texts('msmarco-sample/collection.tsv'), ...texts('nq-sample/collection.tsv'), ...texts('msmarco-sample/queries.tsv')];
    let ascii = 0;
    for (const t of all) {
      if (/^[\x00-\x7f]*$/.test(t)) ascii++;
      expect(Array.from(tokenize(t, spec)), t.slice(0, 60)).toEqual(Array.from(tokenizeAnyText(t, spec)));
    }
    // Both paths were exercised: most fixture texts are ASCII, some are not.
    expect(ascii).toBeGreaterThan(100);
    expect(all.length - ascii).toBeGreaterThan(5);
  });

  it('gives the same ids from ASCII bytes, written after what the output already holds, and refuses other bytes', () => {
    const tricky = ["Don't STOP: rock'n'roll, 'quoted' a''b x' 42nd", "it's", "'", "a'", "'a", 'tab\tand\nnewline', '', '   ', "o'", "don't'", 'x'];
    const ascii = [...tricky, ...texts('msmarco-sample/collection.tsv')].filter((t) => /^[\x00-\x7f]*$/.test(t));
    expect(ascii.length).toBeGreaterThan(150);
    const encoder = new TextEncoder();
    for (const t of ascii) {
      // The text sits inside a larger buffer, as a line does inside a read, with bytes on either side.
      const bytes = encoder.encode(`id\t${t}\nnext`);
      const out = new Int32Array(3 + (t.length >> 1) + 1).fill(-7);
      const n = tokenizeAsciiBytes(bytes, 3, 3 + t.length, spec.buckets, out, 3);
      expect(Array.from(out.subarray(3, 3 + n)), t.slice(0, 60)).toEqual(Array.from(tokenize(t, spec)));
      expect(Array.from(out.subarray(0, 3))).toEqual([-7, -7, -7]);
    }
    expect(tokenizeAsciiBytes(encoder.encode('café au lait'), 0, 13, spec.buckets, new Int32Array(8), 0)).toBe(-1);
    expect(() => tokenizeAsciiBytes(encoder.encode('x'), 0, 1, 4, new Int32Array(1), 0)).toThrow(/buckets must be an integer above 4/);
  });

  it('maps into the word range of the table and refuses a table too small', () => {
    const ids = tokenize('every word lands in range', { kind: 'hash-words', buckets: 16 });
    expect(ids).toHaveLength(5);
    expect(Array.from(ids).every((id) => id >= FIRST_WORD_ID && id < 16)).toBe(true);
    expect(() => tokenize('x', { kind: 'hash-words', buckets: 4 })).toThrow(/buckets must be an integer above 4/);
  });

  it('handles text in other scripts on the general path', () => {
    expect(tokenize('Ｃａｆé 日本語', spec)).toEqual(tokenizeAnyText('café 日本語', spec));
  });
});
