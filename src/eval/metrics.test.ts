import { describe, expect, it } from 'vitest';
import { evaluateRun, fixed4, ndcgAt, qrelsFrom, rank, round4, type Qrels, type Run } from './metrics';

const qrels = (rows: [number, number, number][]): Qrels => qrelsFrom({ qid: rows.map((r) => r[0]), pid: rows.map((r) => r[1]), grade: rows.map((r) => r[2]) });
const run = (entries: Record<number, [number, number][]>): Run =>
  new Map(Object.entries(entries).map(([q, docs]) => [Number(q), { pids: docs.map((d) => d[0]), scores: docs.map((d) => d[1]) }]));

describe('rank', () => {
  it('orders by score descending and breaks ties by id descending as strings, like trec_eval', () => {
    // 999 vs 5000 on equal scores: "999" > "5000" as strings, so 999 comes first.
    expect(rank([5000, 999, 7, 12], [1, 1, 3, 1])).toEqual([7, 999, 5000, 12]);
  });
});

describe('metrics', () => {
  it('MRR@10 takes the first relevant document within the top 10, with a threshold', () => {
    // Query 1: ranked 10 (grade 0), 11 (grade 1), 12 (grade 2) → first relevant at rank 2 → RR 0.5.
    // With threshold 2 (TREC DL), the first relevant is 12 at rank 3 → RR 1/3.
    const q = qrels([[1, 10, 0], [1, 11, 1], [1, 12, 2]]);
    const r = run({ 1: [[10, 3], [11, 2], [12, 1]] });
    expect(evaluateRun(r, q, 1).mrr10).toBeCloseTo(0.5, 10);
    expect(evaluateRun(r, q, 2).mrr10).toBeCloseTo(1 / 3, 10);
  });

  it('a relevant document below rank 10 gives RR@10 = 0 but counts for recall and AP', () => {
    // 12 documents, the only relevant one (99) last: RR@10 = 0, Recall@100 = 1, AP = 1/12.
    const docs: [number, number][] = Array.from({ length: 11 }, (_, i) => [i + 1, 100 - i]);
    docs.push([99, 0]);
    const m = evaluateRun(run({ 1: docs }), qrels([[1, 99, 1]]));
    expect(m.mrr10).toBe(0);
    expect(m.recall100).toBe(1);
    expect(m.map).toBeCloseTo(1 / 12, 10);
  });

  it('nDCG@10 uses graded gains and the ideal ranking of all judged documents', () => {
    // Ranked: a (grade 1), b (unjudged), c (grade 3). DCG = 1/log2(2) + 3/log2(4) = 1 + 1.5 = 2.5.
    // Ideal from the qrels: c (3), d (2, never retrieved), a (1): 3 + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5 = 4.761860.
    // nDCG = 2.5 / 4.761860 = 0.525005.
    const q = qrels([[1, 1, 1], [1, 3, 3], [1, 4, 2], [1, 5, 0]]);
    const m = evaluateRun(run({ 1: [[1, 0.9], [2, 0.8], [3, 0.7]] }), q);
    expect(round4(m.ndcg10)).toBe(0.525);
    expect(m.ndcg10).toBeCloseTo(2.5 / (3 + 2 / Math.log2(3) + 0.5), 12);
    expect(ndcgAt([5], new Map([[5, 0]]), 10)).toBe(0);
  });

  it('breaks score ties the trec_eval way when computing metrics', () => {
    // Both score 1.0; relevant 5000 loses the tie to 999 ("999" > "5000") → rank 2 → RR 0.5.
    const m = evaluateRun(run({ 1: [[5000, 1], [999, 1]] }), qrels([[1, 5000, 1]]));
    expect(m.mrr10).toBe(0.5);
  });

  it('skips queries without a relevant document and queries the run lacks, and keeps per-query values', () => {
    // Query 1: relevant 10 at rank 1 → RR 1. Query 2: only grade 0 → skipped. Query 3: not in the run → skipped.
    const q = qrels([[1, 10, 1], [2, 20, 0], [3, 30, 1]]);
    const m = evaluateRun(run({ 1: [[10, 5], [11, 4]], 2: [[20, 1]] }), q);
    expect(m.queries).toBe(1);
    expect(m.perQuery.map((p) => [p.qid, p.rr10])).toEqual([[1, 1]]);
    expect(m.mrr10).toBe(1);
  });

  it('averages over queries: MAP, Recall@100 and MRR@10 on two queries', () => {
    // Query 1: relevant {1, 3}; ranking 1, 2, 3 → AP = (1/1 + 2/3) / 2 = 0.833333; RR = 1; Recall@100 = 1.
    // Query 2: relevant {7, 8}; ranking 6, 7 (8 never retrieved) → AP = (1/2) / 2 = 0.25; RR = 0.5; Recall@100 = 0.5.
    // MAP = 0.541667, MRR@10 = 0.75, Recall@100 = 0.75.
    const q = qrels([[1, 1, 1], [1, 3, 1], [2, 7, 1], [2, 8, 2]]);
    const m = evaluateRun(run({ 1: [[1, 3], [2, 2], [3, 1]], 2: [[6, 2], [7, 1]] }), q);
    expect(round4(m.map)).toBe(0.5417);
    expect(m.mrr10).toBe(0.75);
    expect(m.recall100).toBe(0.75);
    expect(m.recall1000).toBe(0.75);
  });

  it('drops a document listed twice for a query, keeping its higher score, and counts it', () => {
    // Without the drop, 7 would count twice: Recall@100 = 2 and AP = 2.
    const m = evaluateRun(run({ 1: [[7, 2], [7, 1], [8, 0.5]] }), qrels([[1, 7, 1]]));
    expect(m.duplicates).toBe(1);
    expect(m.recall100).toBe(1);
    expect(m.map).toBe(1);
  });
});

describe('four decimals as trec_eval prints them', () => {
  it('rounds the exact binary value, ties to even', () => {
    expect(fixed4(1 / 32)).toBe('0.0312'); // exactly 0.03125: a tie, 2 is even
    expect(fixed4(3 / 32)).toBe('0.0938'); // exactly 0.09375: a tie, 7 is odd → up
    expect(fixed4(0.00035)).toBe('0.0003'); // the double is 0.000349999…
    expect(fixed4(2 / 3)).toBe('0.6667');
    expect(fixed4(1)).toBe('1.0000');
    expect(fixed4(0)).toBe('0.0000');
    expect(round4(1 / 32)).toBe(0.0312);
  });
});
