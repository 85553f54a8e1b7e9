import { describe, expect, it } from 'vitest';
import { ARCHS } from '../model/students/registry';
import { accumulationSteps, batchLengthsOf, DEFAULT_RUN_CONFIG, evalLengthsOf, microBatchOf, resolveRunConfig } from './run-config';

describe('micro-batches of a run', () => {
  it('splits the batch into batch ÷ micro-batch forwards; 0 is the whole batch at once', () => {
    expect(microBatchOf({ batchSize: 32, microBatch: 0 })).toBe(32);
    expect(accumulationSteps({ batchSize: 32, microBatch: 0 })).toBe(1);
    expect(microBatchOf({ batchSize: 32, microBatch: 8 })).toBe(8);
    expect(accumulationSteps({ batchSize: 32, microBatch: 8 })).toBe(4);
    expect(accumulationSteps({ batchSize: 32, microBatch: 32 })).toBe(1);
  });

  it('refuses a micro-batch that does not divide the batch, or one larger than it', () => {
    expect(() => resolveRunConfig({ batchSize: 32, microBatch: 12 })).toThrow('run config: microBatch (12) must divide batchSize (32); 0 runs the whole batch at once');
    expect(() => resolveRunConfig({ batchSize: 8, microBatch: 16 })).toThrow('run config: microBatch (16) must divide batchSize (8)');
    expect(() => resolveRunConfig({ microBatch: -1 })).toThrow(/microBatch/);
  });

  it('bounds evaluation forwards at two pairs per triple of a micro-batch', () => {
    // A micro-batch of m triples scores 2m (query, passage) pairs in training.
    expect(evalLengthsOf({ ...DEFAULT_RUN_CONFIG, batchSize: 32, microBatch: 4, queryLength: 30, passageLength: 200 })).toEqual({ queryLength: 30, passageLength: 200, forwardBatch: 8 });
    expect(evalLengthsOf({ ...DEFAULT_RUN_CONFIG, batchSize: 8, microBatch: 0 }).forwardBatch).toBe(16);
  });

  it('gives every student its own side lengths, and a cat student the whole pair (30 + 200 + 3) on each side', () => {
    for (const arch of ARCHS.filter((a) => a !== 'cat')) expect(batchLengthsOf({ arch, queryLength: 30, passageLength: 200 })).toEqual({ queryLength: 30, passageLength: 200 });
    expect(batchLengthsOf({ arch: 'cat', queryLength: 30, passageLength: 200 })).toEqual({ queryLength: 233, passageLength: 233 });
    expect(evalLengthsOf({ ...DEFAULT_RUN_CONFIG, arch: 'cat', batchSize: 32, microBatch: 4, queryLength: 30, passageLength: 200 })).toEqual({ queryLength: 233, passageLength: 233, forwardBatch: 8 });
  });
});
