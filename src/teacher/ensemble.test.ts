import { describe, expect, it } from 'vitest';
import { ensembleScores, moments } from './ensemble';

describe('the ensemble teacher', () => {
  it('is the plain mean of the teachers without standardising', () => {
    expect(Array.from(ensembleScores([[1, 2, 3], [3, 6, 9]], false))).toEqual([2, 4, 6]);
  });

  it('standardises each teacher over its own pairs before the mean', () => {
    // Teacher A: 1, 2, 3 → mean 2, population std sqrt(2/3); teacher B: 10, 30, 20 → mean 20, std sqrt(200/3).
    const a = [1, 2, 3];
    const b = [10, 30, 20];
    const za = a.map((x) => (x - 2) / Math.sqrt(2 / 3));
    const zb = b.map((x) => (x - 20) / Math.sqrt(200 / 3));
    const got = ensembleScores([a, b], true);
    za.forEach((z, i) => expect(got[i]).toBeCloseTo((z + (zb[i] as number)) / 2, 12));
    // Standardised, the two teachers weigh the same: pairs 2 and 3 (A: 0 and +1.22, B: +1.22 and 0) tie. The plain
    // mean lets B's ten-times wider scale decide them (16 against 11.5).
    expect(got[1]).toBeCloseTo(got[2] as number, 12);
    const plain = ensembleScores([a, b], false);
    expect(Array.from(plain)).toEqual([5.5, 16, 11.5]);
  });

  it('one teacher standardised is its z-scores; the moments are the population ones', () => {
    expect(moments([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
    expect(Array.from(ensembleScores([[2, 4, 4, 4, 5, 5, 7, 9]], true))).toEqual([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
  });

  it('refuses teachers of different lengths, none, or one that cannot be standardised', () => {
    expect(() => ensembleScores([[1, 2], [1]], false)).toThrow('teacher 2 scored 1 pairs, teacher 1 scored 2');
    expect(() => ensembleScores([], false)).toThrow('no teacher');
    expect(() => ensembleScores([[1, 2], [3, 3]], true)).toThrow('teacher 2 gave every pair the same score');
  });
});
