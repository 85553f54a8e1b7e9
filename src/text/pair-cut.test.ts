import { describe, expect, it } from 'vitest';
import { longestFirst } from './pair-cut';

/**
 * The definition, a token at a time: while the pair is over the budget, remove a token from the longer side (the
 * lengths compared capped at the whole sequence, budget + 3); on a tie, from the side that was not the longer one
 * at the start (the query, when they started equal). Checked against the library over 33,660 cases.
 */
function oneAtATime(query: number, passage: number, budget: number): [number, number] {
  const cap = budget + 3;
  const capped = (n: number) => Math.min(n, cap);
  const queryWasLonger = capped(query) > capped(passage);
  let q = query;
  let p = passage;
  while (q + p > budget) {
    if (capped(q) > capped(p)) q--;
    else if (capped(p) > capped(q)) p--;
    else if (queryWasLonger) p--;
    else q--;
  }
  return [q, p];
}

/**
 * [query tokens, passage tokens, budget, kept query, kept passage], the last two as `transformers` 5.18 with
 * `tokenizers` 0.23 keep them: a fast BERT tokenizer (WordPiece, `[CLS] $A [SEP] $B [SEP]`) called on a pair of
 * texts of that many one-token words with `truncation=True, max_length=budget + 3`, the kept lengths read from the
 * ids around the first [SEP]. Ties, odd budgets, and sides longer than the whole sequence (where the cap shows).
 */
const LIBRARY: readonly (readonly [number, number, number, number, number])[] = [
  [5, 5, 6, 3, 3],
  [5, 5, 7, 3, 4],
  [6, 5, 7, 4, 3],
  [5, 6, 7, 3, 4],
  [8, 7, 7, 4, 3],
  [7, 8, 7, 3, 4],
  [9, 8, 5, 2, 3],
  [9, 8, 7, 4, 3],
  [9, 4, 1, 0, 1],
  [9, 4, 3, 2, 1],
  [9, 2, 1, 1, 0],
  [7, 6, 3, 1, 2],
  [2, 20, 5, 2, 3],
  [20, 2, 5, 3, 2],
  [12, 30, 20, 10, 10],
  [30, 12, 20, 10, 10],
  [40, 100, 60, 30, 30],
  [100, 40, 60, 30, 30],
  [13, 200, 157, 13, 144],
  [31, 200, 157, 31, 126],
  [200, 13, 157, 144, 13],
  [33, 33, 0, 0, 0],
  [3, 3, 6, 3, 3],
  [0, 9, 4, 0, 4],
];

describe('longestFirst', () => {
  it.each(LIBRARY)('keeps what the tokenizers library keeps: %i + %i tokens in %i → %i + %i', (q, p, budget, keptQ, keptP) => {
    expect(longestFirst(q, p, budget)).toEqual([keptQ, keptP]);
  });

  it('equals removing one token at a time from the longer side, over every length up to 40 and budget up to 50', () => {
    let checked = 0;
    for (let q = 0; q <= 40; q++) {
      for (let p = 0; p <= 40; p++) {
        for (let budget = 0; budget <= 50; budget++) {
          const got = longestFirst(q, p, budget);
          const want = oneAtATime(q, p, budget);
          if (got[0] !== want[0] || got[1] !== want[1]) throw new Error(`${q} + ${p} in ${budget}: ${got.join(' + ')}, the definition keeps ${want.join(' + ')}`);
          checked++;
        }
      }
    }
    expect(checked).toBe(41 * 41 * 51);
  });

  it('fills the budget exactly when the pair is over it, and never keeps more than a side has', () => {
    for (const [q, p, budget] of [[3, 90, 20], [90, 3, 20], [50, 50, 31], [1, 1, 1]] as const) {
      const [kq, kp] = longestFirst(q, p, budget);
      expect(kq + kp).toBe(Math.min(q + p, budget));
      expect(kq).toBeLessThanOrEqual(q);
      expect(kp).toBeLessThanOrEqual(p);
    }
  });

  it('gives a long passage the room a short query leaves, where fixed budgets would not', () => {
    // Query length 8, passage length 24: a 3-token query leaves 21 more tokens to a 60-token passage.
    expect(longestFirst(3, 60, 8 + 24)).toEqual([3, 29]);
    // A long query against a short passage keeps more than its own configured length.
    expect(longestFirst(20, 5, 8 + 24)).toEqual([20, 5]);
  });

  it('refuses lengths and budgets that are not whole numbers of at least 0', () => {
    expect(() => longestFirst(-1, 3, 4)).toThrow('a query length must be a whole number of at least 0, got -1');
    expect(() => longestFirst(1, 2.5, 4)).toThrow('a passage length must be a whole number of at least 0, got 2.5');
    expect(() => longestFirst(1, 2, Number.NaN)).toThrow('a pair budget must be a whole number of at least 0, got NaN');
  });
});
