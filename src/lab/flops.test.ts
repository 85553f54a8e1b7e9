import { describe, expect, it } from 'vitest';
import { encoderFlops, trainingStepFlops } from './flops';

describe('training FLOPs', () => {
  it('counts a one-layer encoder by hand', () => {
    // L = 2, d = 4, f = 8: qkv 2·2·4·12 = 192, out 2·2·4·4 = 64, ffn 2·(2·2·4·8) = 256, attention 2·(2·2·2·4) = 64.
    expect(encoderFlops(2, { hidden: 4, ffn: 8, layers: 1 })).toBe(192 + 64 + 256 + 64);
    expect(encoderFlops(2, { hidden: 4, ffn: 8, layers: 3 })).toBe(3 * 576);
  });

  it('is three forwards of a query and two passages per triple, and none for cross-encoders', () => {
    const c = { arch: 'dot' as const, hidden: 4, ffn: 8, layers: 1, batchSize: 5, queryLength: 2, passageLength: 2 };
    expect(trainingStepFlops(c)).toBe(3 * (5 * 576 + 10 * 576));
    expect(trainingStepFlops({ ...c, arch: 'cat' })).toBeNull();
    // The larger GPU benchmark config: about 177 GFLOP a step.
    const larger = trainingStepFlops({ arch: 'dot', hidden: 256, ffn: 1024, layers: 2, batchSize: 64, queryLength: 16, passageLength: 128 }) as number;
    expect(larger / 1e9).toBeCloseTo(176.9, 0);
  });
});
