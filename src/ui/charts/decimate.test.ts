import { describe, expect, it } from 'vitest';
import { minMaxIndices } from './decimate';
import { Rng } from '../../util/random';

/** The definition, written plainly: per bucket of ceil(n / buckets) indices, its first minimum and first maximum. */
function reference(values: number[], buckets: number): number[] {
  const size = Math.ceil(values.length / buckets);
  const keep = new Set<number>([0, values.length - 1]);
  for (let from = 0; from < values.length; from += size) {
    const run = values.slice(from, from + size);
    keep.add(from + run.indexOf(Math.min(...run)));
    keep.add(from + run.indexOf(Math.max(...run)));
  }
  return [...keep].sort((a, b) => a - b);
}

describe('minMaxIndices', () => {
  it('keeps every point of a short series', () => {
    expect(minMaxIndices([3, 1, 2], 2)).toEqual([0, 1, 2]);
    expect(minMaxIndices([], 5)).toEqual([]);
  });

  it('keeps each bucket\'s minimum and maximum, and the ends', () => {
    // Buckets of 3: [5 1 9] [2 2 2] [7 0 4] [8 6]: minimum and maximum of each, the constant run once.
    expect(minMaxIndices([5, 1, 9, 2, 2, 2, 7, 0, 4, 8, 6], 4)).toEqual([0, 1, 2, 3, 6, 7, 9, 10]);
  });

  it('matches the definition on a long random series, within 2·buckets + 2 points', () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 10_007 }, () => rng.next());
    const kept = minMaxIndices(values, 300);
    expect(kept).toEqual(reference(values, 300));
    expect(kept.length).toBeLessThanOrEqual(2 * 300 + 2);
  });

  it('keeps a one-step spike that taking every k-th point loses', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i === 2501 ? 100 : 1));
    const every10th = values.filter((_, i) => i % 10 === 0);
    expect(Math.max(...every10th)).toBe(1);
    expect(minMaxIndices(values, 100).map((i) => values[i])).toContain(100);
  });

  it('keeps the first non-finite value of a bucket, so a diverged step shows', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i === 40 || i === 41 ? NaN : i));
    expect(minMaxIndices(values, 10)).toContain(40);
    expect(minMaxIndices(values, 10)).not.toContain(41);
    expect(() => minMaxIndices(values, 0)).toThrow(/positive integer/);
  });
});
