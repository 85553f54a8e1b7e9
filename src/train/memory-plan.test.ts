import { describe, expect, it } from 'vitest';
import { countParameters } from '../model/students/descriptor';
import { dot } from '../model/students/dot/descriptor';
import { budgetOnly, forwardElements, layerForwardElements, planMemory, sequenceGroups, type PlanInput } from './memory-plan';

/** A dot student small enough to plan by hand: d = 4, f = 8, 2 heads, 1 layer, vocabulary 10. */
const SMALL: PlanInput = {
  arch: 'dot',
  webgpu: true,
  kernels: 'fused',
  pretrained: false,
  pooling: 'mean',
  batchSize: 2,
  microBatch: 0,
  probeSize: 1,
  queryLength: 2,
  passageLength: 3,
  hidden: 4,
  heads: 2,
  ffn: 8,
  layers: 1,
  jointLayers: 1,
  compressDim: 2,
  vocabSize: 10,
  // Embeddings 10·4 + positions 4·4, one layer 172 (LN 16, qkv 60, out 20, ffn 40 + 36), final LN 8: 236.
  parameters: countParameters(dot, { vocabSize: 10, queryLength: 2, passageLength: 3, hidden: 4, heads: 2, ffn: 8, layers: 1, pooling: 'mean', compressDim: 2, jointLayers: 1, cls: 1, sep: 2 }),
};

describe('layerForwardElements', () => {
  it('counts the fused and the stock tensors of one layer', () => {
    // Fused: T·(17·4 + 2·8 + 4) + 2·rows·heads·L² = 2·88 + 2·1·2·4 = 192.
    expect(layerForwardElements(1, 2, { hidden: 4, heads: 2, ffn: 8, kernels: 'fused' })).toBe(192);
    // Stock: T·(32·4 + 3·8 + 8) + 4·rows·heads·L² = 2·160 + 32 = 352.
    expect(layerForwardElements(1, 2, { hidden: 4, heads: 2, ffn: 8, kernels: 'stock' })).toBe(352);
  });
});

describe('sequenceGroups', () => {
  it('encodes the query once and both passages for dot, the joined pair twice for cat, PreTTR in three parts', () => {
    expect(sequenceGroups(SMALL, 2).map((g) => [g.rows, g.length, g.layers])).toEqual([[2, 2, 1], [4, 3, 1]]);
    expect(sequenceGroups({ ...SMALL, pooling: 'cls' }, 2).map((g) => g.length)).toEqual([3, 4]);
    expect(sequenceGroups({ ...SMALL, pretrained: true }, 2).map((g) => g.length)).toEqual([4, 5]);
    // [CLS] q [SEP] p [SEP]: 2 + 3 + 3.
    expect(sequenceGroups({ ...SMALL, arch: 'cat' }, 2).map((g) => [g.rows, g.length])).toEqual([[4, 8]]);
    expect(sequenceGroups({ ...SMALL, arch: 'prett', layers: 2, jointLayers: 3 }, 2).map((g) => [g.rows, g.length, g.layers, g.embedded])).toEqual([
      [4, 4, 2, true],
      [4, 4, 2, true],
      [4, 8, 3, false],
    ]);
  });
});

describe('planMemory', () => {
  it('adds weights, gradients, moments and the larger of a step and the probe, by hand', () => {
    // Step of 2 triples: queries 2×2 (layer 352 + 32 = 384, embedding 32, final LN 24: 440), passages 4×3
    // (layer 1056 + 144 = 1200, embedding 96, final LN 72: 1368): 1808 forward elements.
    expect(forwardElements(SMALL, 2)).toBe(1808);
    // Probe of 1 triple: queries 1×2 (192 + 16 + 12 = 220), passages 2×3 (528 + 72 + 48 + 36 = 684): 904.
    expect(forwardElements(SMALL, 1)).toBe(904);
    const plan = planMemory(SMALL, budgetOnly());
    expect(SMALL.parameters).toBe(236);
    expect(plan.weights).toBe(944);
    expect(plan.gradients).toBe(944);
    expect(plan.optimizer).toBe(1888);
    // Forward and backward (1.25 × forward on WebGPU): 2.25 · 1808 · 4 bytes.
    expect(plan.activations).toBe(16272);
    expect(plan.probe).toBe(3616);
    expect(plan.bytes).toBe(4 * 944 + 16272);
    // Off WebGPU backward holds as much, measured on tfjs's CPU backend: 2.25 · 1808 · 4 bytes.
    expect(planMemory({ ...SMALL, webgpu: false }, budgetOnly()).activations).toBe(16272);
    // The passages' qkv, 12 tokens × 12 × 4 bytes, is larger than their FFN (384 B), scores (288 B) or the table (160 B).
    expect(plan.largest.bytes).toBe(576);
    expect(plan.largest.what).toMatch(/query\/key\/value/);
    expect(plan.fits).toBe(true);
    expect(plan.reason).toBe('');
    expect(plan.largestMicroBatch).toBe(2);
  });

  it('refuses a buffer over the binding limit and finds the micro-batch that fits', () => {
    const plan = planMemory(SMALL, { maxStorageBufferBindingSize: 500, maxBufferSize: 1e9, budget: 1e9 });
    expect(plan.limit).toBe(500);
    expect(plan.fits).toBe(false);
    expect(plan.reason).toMatch(/query\/key\/value projection .* over the adapter's/);
    // One triple: the passages' qkv is 6 × 12 × 4 = 288 bytes.
    expect(plan.largestMicroBatch).toBe(1);
    expect(plan.reason).toMatch(/a micro-batch of 1 fits/);
    // maxBufferSize binds too.
    expect(planMemory(SMALL, { maxStorageBufferBindingSize: 1e9, maxBufferSize: 500, budget: 1e9 }).limit).toBe(500);
  });

  it('refuses a run over the budget, and says when no micro-batch fits', () => {
    // Micro-batch 1: 3776 + 944 (the accumulated gradients beside the micro-batch's own) + 2.25 · 904 · 4 = 12856
    // bytes fits 15000; the whole batch (20048) does not.
    const over = planMemory(SMALL, budgetOnly(15000));
    expect(over.fits).toBe(false);
    expect(over.reason).toMatch(/over the .* budget/);
    expect(over.largestMicroBatch).toBe(1);
    const fitting = planMemory({ ...SMALL, microBatch: 1 }, budgetOnly(15000));
    expect(fitting.fits).toBe(true);
    expect(fitting.gradients).toBe(2 * 944);
    expect(fitting.bytes).toBe(12856);
    const none = planMemory(SMALL, budgetOnly(10000));
    expect(none.largestMicroBatch).toBe(0);
    expect(none.reason).toMatch(/no micro-batch fits/);
  });

  it('rejects inputs that are not sizes', () => {
    expect(() => planMemory({ ...SMALL, hidden: 0 }, budgetOnly())).toThrow(/hidden must be a positive whole number/);
    expect(() => planMemory({ ...SMALL, microBatch: 3, batchSize: 4 }, budgetOnly())).toThrow(/microBatch must be 0 or divide the batch/);
  });
});

describe('the probe set', () => {
  it('is planned a micro-batch of triples at a time, as Trainer.probe scores it', () => {
    // SMALL trains batches of 2: 64 probe triples are scored 2 at a time, each the forward of a step's micro-batch
    // (at once, 64 triples' passages would be 128 × 3 tokens × FFN 8 × 4 bytes = 12288 bytes, over this limit).
    const plan = planMemory({ ...SMALL, probeSize: 64 }, { maxStorageBufferBindingSize: 10000, maxBufferSize: 1e9, budget: 1e9 });
    expect(plan.fits).toBe(true);
    expect(plan.probe).toBe(forwardElements(SMALL, 2) * 4);
    // A probe set smaller than the micro-batch is one forward of its own size.
    expect(planMemory({ ...SMALL, probeSize: 1 }, budgetOnly()).probe).toBe(forwardElements(SMALL, 1) * 4);
  });
});

describe('the run of issue 21', () => {
  it('plans weights, gradients and moments of the MiniLM-L6 shape at the 0.36 GB measured there', () => {
    const sizes = { vocabSize: 30522, queryLength: 16, passageLength: 64, hidden: 384, heads: 12, ffn: 1536, layers: 6, pooling: 'mean' as const, compressDim: 32, jointLayers: 1, cls: 1, sep: 2 };
    const plan = planMemory({ ...SMALL, ...sizes, batchSize: 8, probeSize: 192, parameters: countParameters(dot, sizes) }, budgetOnly());
    const persistent = plan.weights + plan.gradients + plan.optimizer;
    expect(persistent / 1e9).toBeGreaterThan(0.35);
    expect(persistent / 1e9).toBeLessThan(0.37);
    // Its probe set (192 triples, about 27,600 tokens) was one forward, 6.9 GiB; scored 8 triples at a time it is
    // the forward of a step's batch, below the step's activations (which hold backward's too).
    expect(plan.probe).toBe(forwardElements({ ...SMALL, ...sizes, batchSize: 8, probeSize: 192, parameters: 1 }, 8) * 4);
    expect(plan.probe).toBeLessThan(plan.activations);
    expect(plan.bytes / 2 ** 30).toBeLessThan(1);
  });

  it('fits a DistilBERT-shaped run at batch 32 in 8 GiB and 128 MiB buffers with the micro-batch it proposes', () => {
    // Paper lengths (query 30, passage 200, [CLS]/[SEP] on a checkpoint), the probe in micro-batches, 66M weights.
    const sizes = { vocabSize: 30522, queryLength: 30, passageLength: 200, hidden: 768, heads: 12, ffn: 3072, layers: 6 };
    const input = { ...SMALL, ...sizes, pretrained: true, batchSize: 32, probeSize: 32, parameters: 66_362_880 };
    const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20, budget: 8 * 2 ** 30 };
    const whole = planMemory(input, limits);
    // Batch 32 at once: 64 passages × 202 tokens × 3072 × 4 bytes = 151.5 MiB of feed-forward activation.
    expect(whole.fits).toBe(false);
    expect(whole.largest.bytes).toBe(64 * 202 * 3072 * 4);
    // At 16 the activations (half of batch 32's) and 1 GiB of weights, gradients and moments pass 8 GiB; at 8 they fit.
    expect(whole.largestMicroBatch).toBe(8);
    expect(planMemory({ ...input, microBatch: 8 }, limits).fits).toBe(true);
  });
});
