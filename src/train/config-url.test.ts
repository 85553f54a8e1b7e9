import { describe, expect, it } from 'vitest';
import { configFromHash, configToHash } from './config-url';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';

describe('run config in the address', () => {
  it('round-trips a whole config, seed included', () => {
    const config = { ...DEFAULT_RUN_CONFIG, arch: 'tk' as const, loss: 'ranknet' as const, seed: 987, learningRate: 0.0015, standardizeTeacher: true };
    const hash = configToHash(config);
    expect(hash.startsWith('#config=')).toBe(true);
    expect(hash).not.toMatch(/[ "{}]/);
    expect(configFromHash(hash)).toEqual({ config });
  });

  it('says what is wrong with a config that is not valid, and ignores other addresses', () => {
    expect(configFromHash('')).toBeNull();
    expect(configFromHash('#other')).toBeNull();
    expect(configFromHash('#config=%7Bnope')).toEqual({ error: expect.stringMatching(/^the run config in the address is not JSON/) as string });
    expect(configFromHash('#config=' + encodeURIComponent('[1]'))).toEqual({ error: 'the run config in the address is not an object' });
    expect(configFromHash('#config=' + encodeURIComponent('{"arch":"bert"}'))).toEqual({ error: 'the run config in the address is not valid: run config: arch must be one of dot, colbert, tk, prett, cat, got bert' });
    expect(configFromHash('#config=' + encodeURIComponent('{"stepz":5}'))).toEqual({ error: expect.stringMatching(/^the run config in the address has unknown fields: stepz \(known: arch, .*\bsteps\b/) as string });
    expect(configFromHash('#config=' + encodeURIComponent('{"steps":0}'))).toEqual({ error: 'the run config in the address is not valid: run config: steps must be an integer in [1, 10000000], got 0' });
    expect(configFromHash('#config=' + encodeURIComponent('{"kernels":"fast"}'))).toEqual({ error: 'the run config in the address is not valid: run config: kernels must be one of fused, stock, got fast' });
  });

  it('carries the micro-batch, and refuses one that does not divide the batch', () => {
    const config = { ...DEFAULT_RUN_CONFIG, batchSize: 32, microBatch: 8 };
    expect(configFromHash(configToHash(config))).toEqual({ config });
    expect(configFromHash('#config=' + encodeURIComponent('{"batchSize":32,"microBatch":12}'))).toEqual({
      error: 'the run config in the address is not valid: run config: microBatch (12) must divide batchSize (32); 0 runs the whole batch at once',
    });
  });

  it('carries the kernel choice, fused unless the address says stock', () => {
    expect(DEFAULT_RUN_CONFIG.kernels).toBe('fused');
    expect(configFromHash('#config=' + encodeURIComponent('{"kernels":"stock"}'))).toEqual({ config: { ...DEFAULT_RUN_CONFIG, kernels: 'stock' } });
  });
});
