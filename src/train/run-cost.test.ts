import { describe, expect, it } from 'vitest';
import { probeCost } from './run-cost';

describe('probeCost', () => {
  it('counts a probe as probeSize / (3 · batch) steps, scored at the start, every probeEvery steps and at the end', () => {
    // 192 triples forward against 32 triples forward and backward (3 forwards): 192 / 96 = 2 steps.
    // 1000 steps probed every 20: at 0, 20, …, 1000 = 51 scorings, 102 steps' worth of 1102 in all.
    const c = probeCost({ probeSize: 192, probeEvery: 20, batchSize: 32, steps: 1000 });
    expect(c.stepsEach).toBe(2);
    expect(c.count).toBe(51);
    expect(c.share).toBeCloseTo(102 / 1102, 12);
  });

  it('adds the last step when the run does not end on a probe step', () => {
    // 3 steps probed every 20: before step 1 and after step 3. Batch 8: 192 / 24 = 8 steps each, 16 of 19.
    const c = probeCost({ probeSize: 192, probeEvery: 20, batchSize: 8, steps: 3 });
    expect(c.count).toBe(2);
    expect(c.stepsEach).toBe(8);
    expect(c.share).toBeCloseTo(16 / 19, 12);
  });
});
