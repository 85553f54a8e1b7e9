import { describe, expect, it } from 'vitest';
import { encoderFlops, matmulFlops, trainingStepFlops } from './flops';

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

  it('counts the real-size students by hand', () => {
    // MiniLM-L6 shape (d 384, f 1536, 6 layers), passage 200: per layer 200·(8·384² + 4·384·1536) + 4·200²·384
    // = 200·(1,179,648 + 2,359,296) + 61,440,000 = 769,228,800; six layers 4,615,372,800.
    const minilm = { hidden: 384, ffn: 1536, layers: 6 };
    expect(encoderFlops(200, minilm)).toBe(4_615_372_800);
    // Query 30: 30·3,538,944 + 4·900·384 = 106,168,320 + 1,382,400 = 107,550,720 a layer; 645,304,320 for six.
    expect(encoderFlops(30, minilm)).toBe(645_304_320);
    // One triple: 3·(645,304,320 + 2·4,615,372,800) = 29,628,149,760, about 29.6 GFLOP.
    expect(trainingStepFlops({ arch: 'dot', ...minilm, batchSize: 1, queryLength: 30, passageLength: 200 })).toBe(29_628_149_760);
  });

  it('counts a square matrix product as 2·n³', () => {
    // 512³ = 134,217,728 multiply-adds.
    expect(matmulFlops(512, 512, 512)).toBe(268_435_456);
    // [2, 3]·[3, 5]: 10 entries of 3 multiply-adds.
    expect(matmulFlops(2, 3, 5)).toBe(60);
  });
});
