import { describe, expect, it } from 'vitest';
import { extent, histogram, margins, meanStd, sameBins } from './histogram';

describe('histogram', () => {
  it('counts several series into shared bins, the top edge in the last bin', () => {
    const bins = histogram([[0, 1, 2, 3, 4], [4, 4]], 4);
    expect(bins.map((b) => b.lo)).toEqual([0, 1, 2, 3]);
    expect(bins.map((b) => b.counts)).toEqual([[1, 0], [1, 0], [1, 0], [2, 2]]);
  });

  it('skips values outside the range and non-finite ones', () => {
    const bins = histogram([[-1, 0.5, NaN, Infinity, 9]], 2, [0, 2]);
    expect(bins.map((b) => b.counts[0])).toEqual([1, 0]);
  });

  it('widens a degenerate range so a constant series still draws', () => {
    expect(extent([[3, 3, 3]])).toEqual([2.5, 3.5]);
    expect(extent([[]])).toEqual([0, 1]);
    expect(() => histogram([[1]], 0)).toThrow(/bins/);
  });

  it('computes margins, mean and standard deviation', () => {
    expect(Array.from(margins([5, 2], [1, 3]))).toEqual([4, -1]);
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
  });

  it('tells the same bins apart from bins that differ in an edge or a count', () => {
    const a = histogram([[1, 2, 3]], 2);
    expect(sameBins(a, histogram([[1, 2, 3]], 2))).toBe(true);
    expect(sameBins(a, histogram([[1, 2, 2.5]], 2))).toBe(false);
    expect(sameBins(a, histogram([[1, 1, 3]], 2))).toBe(false);
    expect(sameBins(a, histogram([[1, 2, 3]], 3))).toBe(false);
  });
});
