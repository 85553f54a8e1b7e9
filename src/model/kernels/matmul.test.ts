/** The split-K arithmetic of the weight-gradient product; the program itself is checked on WebGPU (e2e/real-width.spec.ts). */
import { describe, expect, it } from 'vitest';
import { kPerSlice, MAX_SLICES, MIN_K_PER_SLICE, splitKSlices } from './matmul';

describe('splitKSlices', () => {
  it('splits a MiniLM weight gradient (384 × 384: 9,216 blocks) over 2,048 tokens to reach the target', () => {
    // ceil(36,864 / 9,216) = 4 slices wanted; 2,048 / 256 = 8 allowed.
    expect(splitKSlices(9216, 2048, 36_864)).toBe(4);
  });

  it('keeps at least MIN_K_PER_SLICE tokens in each slice', () => {
    // 1,000,000 threads wanted from 9,216 blocks is 109 slices; 1,000 tokens allow floor(1000 / 256) = 3.
    expect(splitKSlices(9216, 1000, 1_000_000)).toBe(3);
    expect(splitKSlices(9216, MIN_K_PER_SLICE * 2 - 1, 1_000_000)).toBe(1);
  });

  it('never takes more slices than one block-sum pass reduces', () => {
    expect(splitKSlices(1, 1_000_000, 1_000_000)).toBe(MAX_SLICES);
  });

  it('does not split when the blocks alone reach the target', () => {
    expect(splitKSlices(36_864, 100_000, 36_864)).toBe(1);
    expect(splitKSlices(40_000, 100_000, 36_864)).toBe(1);
  });

  it('covers every k exactly once with slices of kPerSlice', () => {
    for (const [k, slices] of [
      [2048, 4],
      [1000, 3],
      [257, 64],
      [7, 7],
    ] as const) {
      const per = kPerSlice(k, slices);
      const used = Math.ceil(k / per);
      // Slices [s·per, min((s+1)·per, k)) for s < used: none empty, the last ending at k.
      expect(used).toBeLessThanOrEqual(slices);
      expect((used - 1) * per).toBeLessThan(k);
      expect(used * per).toBeGreaterThanOrEqual(k);
    }
  });
});
