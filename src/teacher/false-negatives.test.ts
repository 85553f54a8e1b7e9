import { describe, expect, it } from 'vitest';
import { applyFalseNegativeRule, isFalseNegative } from './false-negatives';

describe('the false-negative rule', () => {
  it('drops a negative scored above the fraction of its positive (similarities as they are)', () => {
    const rule = { fraction: 0.95, on: 'scores' as const };
    // 0.95 × 0.8 = 0.76: 0.77 is above it (dropped), 0.76 is not (kept: "above" is strict).
    expect(isFalseNegative(0.8, 0.77, rule)).toBe(true);
    expect(isFalseNegative(0.8, 0.76, rule)).toBe(false);
    expect(isFalseNegative(0.8, 0.1, rule)).toBe(false);
  });

  it("reads a cross-encoder's logits through the sigmoid", () => {
    const rule = { fraction: 0.9, on: 'sigmoid' as const };
    // σ(2) = 0.8808, 0.9 × that = 0.7927; σ(1.5) = 0.8176 > 0.7927 (dropped); σ(1.3) = 0.7858 < 0.7927 (kept).
    expect(isFalseNegative(2, 1.5, rule)).toBe(true);
    expect(isFalseNegative(2, 1.3, rule)).toBe(false);
    // Negative logits are fine here: σ(−1) = 0.269, σ(−3) = 0.047.
    expect(isFalseNegative(-1, -3, rule)).toBe(false);
  });

  it('applies to a run of triples and counts what it dropped; no rule keeps everything', () => {
    const pos = [0.9, 0.9, 0.5, 0.5];
    const neg = [0.1, 0.89, 0.45, 0.2];
    expect(applyFalseNegativeRule(pos, neg, { fraction: 0.8, on: 'scores' })).toEqual({ kept: [0, 3], dropped: 2 });
    expect(applyFalseNegativeRule(pos, neg, null)).toEqual({ kept: [0, 1, 2, 3], dropped: 0 });
  });

  it('refuses what it cannot judge, saying why', () => {
    expect(() => isFalseNegative(0.5, 0.2, { fraction: 0, on: 'scores' })).toThrow('the fraction must lie in (0, 1], got 0');
    expect(() => isFalseNegative(-0.5, 0.2, { fraction: 0.9, on: 'scores' })).toThrow("read logits with on: 'sigmoid'");
    expect(() => isFalseNegative(Number.NaN, 0.2, { fraction: 0.9, on: 'sigmoid' })).toThrow('scores must be finite');
    expect(() => applyFalseNegativeRule([1], [], null)).toThrow('1 positive scores but 0 negative ones');
  });
});
