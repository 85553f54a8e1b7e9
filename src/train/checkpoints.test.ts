import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { checkpointBytes, KEEP_CHECKPOINTS, listCheckpoints, loadCheckpoint, markFinished, saveCheckpoint, type Checkpoint } from './checkpoints';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';

/** Values that differ per weight, per array and per step, so a swapped, stale or zeroed array cannot pass. */
function values(step: number, array: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => step + array / 8 + i / 64);
}

const WEIGHTS = [
  { name: 'encoder/lnf_b', shape: [2] },
  { name: 'encoder/wq', shape: [2, 3] },
];

function checkpoint(runId: string, step: number, savedAt: number): Checkpoint {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return {
    runId,
    datasetId: 'ds',
    status: 'running',
    savedAt,
    losses: Float32Array.from({ length: step }, (_, i) => 10 - i),
    snapshot: {
      config: DEFAULT_RUN_CONFIG,
      stepsDone: step,
      sampler: { shuffle: 777, size: 3, cursor: 2, epoch: 1, rng: 12345 },
      weights: WEIGHTS.map((w, k) => ({ ...w, data: values(step, k, size(w.shape)) })),
      optimizer: {
        iterations: step,
        first: WEIGHTS.map((w, k) => ({ shape: w.shape, data: values(-step, k + 2, size(w.shape)) })),
        second: WEIGHTS.map((w, k) => ({ shape: w.shape, data: values(step / 100, k + 4, size(w.shape)) })),
      },
    },
  };
}

/** A tensor as plain numbers, so `toEqual` compares every element by value (and the shape and name with it). */
function plain(t: { name?: string; shape: number[]; data: Float32Array }) {
  return { name: t.name, shape: t.shape, data: Array.from(t.data) };
}

describe('checkpoint store', () => {
  it('keeps one checkpoint per run, the latest, with every array intact', async () => {
    await saveCheckpoint(checkpoint('a', 5, 1));
    await saveCheckpoint(checkpoint('a', 10, 2));
    const back = await loadCheckpoint('a');
    const want = checkpoint('a', 10, 2);
    expect(back?.snapshot.stepsDone).toBe(10);
    expect(back!.snapshot.optimizer.iterations).toBe(10);
    expect(Array.from(back!.losses)).toEqual(Array.from(want.losses));
    // The sampler is its numbers: no array of 4 bytes a triple.
    expect(back!.snapshot.sampler).toEqual(want.snapshot.sampler);
    // Every weight and both Adam moments of every weight, element by element, in the order of the weights.
    expect(back!.snapshot.weights.map(plain)).toEqual(want.snapshot.weights.map(plain));
    expect(back!.snapshot.optimizer.first.map(plain)).toEqual(want.snapshot.optimizer.first.map(plain));
    expect(back!.snapshot.optimizer.second.map(plain)).toEqual(want.snapshot.optimizer.second.map(plain));
    // Losses 10 floats, and 2 + 6 floats in each of weights, first and second moments: 4 bytes a float.
    expect(checkpointBytes(back!)).toBe(4 * (10 + 3 * (2 + 6)));
  });

  it('offers only runs that did not finish, and prunes all but the newest runs', async () => {
    await markFinished('a');
    expect((await listCheckpoints()).find((c) => c.runId === 'a')?.status).toBe('finished');
    for (let i = 0; i < KEEP_CHECKPOINTS + 2; i++) await saveCheckpoint(checkpoint(`r${i}`, 3, 100 + i));
    const left = await listCheckpoints();
    expect(left.map((c) => c.runId)).toEqual([`r${KEEP_CHECKPOINTS + 1}`, `r${KEEP_CHECKPOINTS}`, `r${KEEP_CHECKPOINTS - 1}`].slice(0, KEEP_CHECKPOINTS));
    expect(left.every((c) => c.status === 'running')).toBe(true);
  });
});
