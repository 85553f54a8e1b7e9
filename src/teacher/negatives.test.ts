import { describe, expect, it } from 'vitest';
import { drawNegatives, type NegativeChoice } from './negatives';

const RANKED = Array.from({ length: 60 }, (_, i) => 1000 + i); // pid 1000 at rank 1, 1059 at rank 60
const choice = (over: Partial<NegativeChoice> = {}): NegativeChoice => ({ fromRank: 1, toRank: 50, perPositive: 4, seed: 7, ...over });

describe('drawNegatives', () => {
  it('draws k negatives per positive from the rank window, never a positive, never twice for one positive', () => {
    const positives = [1003, 1010, 1055];
    const { negatives, short } = drawNegatives(12, RANKED, positives, choice({ fromRank: 2, toRank: 20 }));
    expect(short).toBe(0);
    expect(negatives).toHaveLength(3);
    for (const drawn of negatives) {
      expect(drawn).toHaveLength(4);
      expect(new Set(drawn).size).toBe(4);
      for (const pid of drawn) {
        const rank = RANKED.indexOf(pid) + 1;
        expect(rank).toBeGreaterThanOrEqual(2);
        expect(rank).toBeLessThanOrEqual(20);
        expect(positives).not.toContain(pid);
      }
    }
  });

  it('gives the same draw for the same seed and query, whatever else was drawn before; another seed or query differs', () => {
    const a = drawNegatives(5, RANKED, [1001], choice());
    drawNegatives(6, RANKED, [1002], choice());
    expect(drawNegatives(5, RANKED, [1001], choice())).toEqual(a);
    expect(drawNegatives(5, RANKED, [1001], choice({ seed: 8 })).negatives).not.toEqual(a.negatives);
    expect(drawNegatives(4, RANKED, [1001], choice()).negatives).not.toEqual(a.negatives);
  });

  it('draws every candidate of the window about equally often (a uniform draw, not the top of the window)', () => {
    // 19 candidates (ranks 1–20 less the positive), 4 drawn: each should be drawn 4/19 of the time.
    const counts = new Map<number, number>();
    const trials = 4000;
    for (let q = 0; q < trials; q++) for (const pid of drawNegatives(q, RANKED, [1000], choice({ toRank: 20 })).negatives[0]!) counts.set(pid, (counts.get(pid) ?? 0) + 1);
    expect(counts.size).toBe(19);
    const expected = (trials * 4) / 19;
    // Binomial standard deviation sqrt(n p (1 − p)) ≈ 26 draws; 5 of them is far outside chance.
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(5 * Math.sqrt(trials * (4 / 19) * (15 / 19)));
  });

  it('counts what a short window could not give, and takes a passage listed twice once, at its better rank', () => {
    const ranked = [1, 2, 2, 3, 4];
    const { negatives, short } = drawNegatives(1, ranked, [1, 3], choice({ toRank: 5, perPositive: 3 }));
    // Candidates past the positives: 2 and 4 only.
    for (const drawn of negatives) expect([...drawn].sort()).toEqual([2, 4]);
    expect(short).toBe(2);
  });

  it('refuses a window or count that makes no sense, naming it', () => {
    expect(() => drawNegatives(1, RANKED, [1], choice({ fromRank: 0 }))).toThrow('the first rank must be a whole number of at least 1, got 0');
    expect(() => drawNegatives(1, RANKED, [1], choice({ fromRank: 10, toRank: 5 }))).toThrow('the last rank must be a whole number of at least the first (10), got 5');
    expect(() => drawNegatives(1, RANKED, [1], choice({ perPositive: 0 }))).toThrow('negatives per positive must be a whole number of at least 1, got 0');
    expect(() => drawNegatives(1, RANKED, [1], choice({ seed: 0.5 }))).toThrow('the seed must be a whole number');
  });
});
