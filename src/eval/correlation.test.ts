import { describe, expect, it } from 'vitest';
import { kendallTau, pearson } from './correlation';

describe('agreement', () => {
  it("Pearson's r: perfect, inverse and a worked case", () => {
    expect(pearson([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // x = 1,2,3,4; y = 2,1,4,3: means 2.5; Σdxdy = 0.75·... = (−1.5)(−0.5)+(−0.5)(−1.5)+(0.5)(1.5)+(1.5)(0.5) = 3; Σdx² = Σdy² = 5 → r = 0.6.
    expect(pearson([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it("Kendall's tau-b, with and without ties", () => {
    // Pairs of (1,2,3,4) vs (2,1,4,3): 6 pairs, discordant (1,2) and (3,4) → (4 − 2) / 6 = 1/3.
    expect(kendallTau([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(1 / 3, 12);
    expect(kendallTau([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // x = 1,1,2; y = 1,2,3: pairs (0,1) tie in x; (0,2), (1,2) concordant → 2 / sqrt((3 − 1)(3 − 0)) = 2 / sqrt(6).
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
  });

  it('gives NaN, not a number that looks real, when scores are not finite', () => {
    expect(kendallTau([1, 2, 3], [NaN, NaN, NaN])).toBeNaN();
    expect(pearson([1, 2, Infinity], [1, 2, 3])).toBeNaN();
  });
});
