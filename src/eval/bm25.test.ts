import { describe, expect, it } from 'vitest';
import { bm25Terms, idf, scoreAll, topK } from './bm25';
import { buildBm25Index } from './bm25.reference';

// Three documents over terms 1..4 (term ids stand for words):
//   d0 = [1, 1, 2]        (length 3)
//   d1 = [2, 3]           (length 2)
//   d2 = [1, 3, 3, 3, 4]  (length 5)
// N = 3, avgdl = 10 / 3. df: t1 = 2, t2 = 2, t3 = 2, t4 = 1.
// idf(t1) = ln(1 + (3 − 2 + 0.5) / (2 + 0.5)) = ln(1.6) = 0.470004
// idf(t4) = ln(1 + (3 − 1 + 0.5) / (1 + 0.5)) = ln(2.666667) = 0.980829
// Query [1]:
//   d0: tf 2, norm = 0.9 · (1 − 0.4 + 0.4 · 3 / 3.333333) = 0.9 · 0.96 = 0.864 → 0.470004 · 2 / 2.864 = 0.328215
//   d2: tf 1, norm = 0.9 · (0.6 + 0.4 · 5 / 3.333333) = 0.9 · 1.2 = 1.08 → 0.470004 · 1 / 2.08 = 0.225964
// Query [1, 4]: d2 adds idf(t4) · 1 / 2.08 = 0.471552 → 0.697516; d0 stays 0.328215; d1 scores 0.
const docs = [Int32Array.of(1, 1, 2), Int32Array.of(2, 3), Int32Array.of(1, 3, 3, 3, 4)];
const index = buildBm25Index(docs.length, (d) => docs[d] as Int32Array, 8);

describe('BM25 (k1 = 0.9, b = 0.4)', () => {
  it('computes idf as Lucene does', () => {
    expect(idf(index, 1)).toBeCloseTo(Math.log(1.6), 12);
    expect(idf(index, 4)).toBeCloseTo(Math.log(1 + 2.5 / 1.5), 12);
    expect(index.avgdl).toBeCloseTo(10 / 3, 12);
  });

  it('scores documents as worked out by hand', () => {
    const one = scoreAll(index, [1]);
    expect(one[0]).toBeCloseTo(0.328215, 5);
    expect(one[1]).toBe(0);
    expect(one[2]).toBeCloseTo(0.225964, 5);
    const two = scoreAll(index, [1, 4]);
    expect(two[2]).toBeCloseTo(0.697516, 5);
  });

  it('returns the top k best first and leaves out documents without a query term', () => {
    expect(Array.from(topK(index, [1, 4], 10).rows)).toEqual([2, 0]);
    expect(Array.from(topK(index, [1, 4], 1).rows)).toEqual([2]);
    expect(Array.from(topK(index, [3], 5).rows)).toEqual([2, 1]);
  });

  it('keeps the k best of many documents', () => {
    const many = Array.from({ length: 500 }, (_, d) => Int32Array.from({ length: 1 + (d % 7) }, () => 5));
    const big = buildBm25Index(many.length, (d) => many[d] as Int32Array, 8);
    const all = scoreAll(big, [5]);
    const best = topK(big, [5], 20);
    const expected = Array.from(all, (s, d) => [s, d] as [number, number]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 20).map((x) => x[1]);
    expect(Array.from(best.rows)).toEqual(expected);
  });

  it('hashes words of text into its own large vocabulary', () => {
    expect(bm25Terms('The cat, the CAT.')).toHaveLength(4);
    const [a, b, c, d] = Array.from(bm25Terms('The cat, the CAT.'));
    expect([a === c, b === d, a === b]).toEqual([true, true, false]);
  });
});
