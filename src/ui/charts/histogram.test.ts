import { describe, expect, it } from 'vitest';
import { smooth } from './histogram';

describe('smooth', () => {
  it('smooths with bias correction, so the first point is the first value', () => {
    const s = smooth([10, 0, 0], 0.5);
    expect(s[0]).toBe(10);
    // Third point: avg = 0.5 * 2.5 = 1.25, norm = 0.875, so 1.25 / 0.875 = 10 / 7.
    expect(s[2]).toBeCloseTo(10 / 7, 10);
  });
});
