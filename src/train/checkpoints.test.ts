import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { checkpointBytes, KEEP_CHECKPOINTS, listCheckpoints, loadCheckpoint, markFinished, saveCheckpoint, type Checkpoint } from './checkpoints';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';

function checkpoint(runId: string, step: number, savedAt: number): Checkpoint {
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
      weights: [{ name: 'encoder/lnf_b', shape: [2], data: Float32Array.of(0.5, -0.25) }],
      optimizer: { iterations: step, first: [{ shape: [2], data: Float32Array.of(0.1, 0.2) }], second: [{ shape: [2], data: Float32Array.of(0.01, 0.02) }] },
    },
  };
}

describe('checkpoint store', () => {
  it('keeps one checkpoint per run, the latest, with every array intact', async () => {
    await saveCheckpoint(checkpoint('a', 5, 1));
    await saveCheckpoint(checkpoint('a', 10, 2));
    const back = await loadCheckpoint('a');
    expect(back?.snapshot.stepsDone).toBe(10);
    expect(Array.from(back!.losses)).toHaveLength(10);
    // The sampler is its numbers: no array of 4 bytes a triple.
    expect(back!.snapshot.sampler).toEqual({ shuffle: 777, size: 3, cursor: 2, epoch: 1, rng: 12345 });
    expect(Array.from(back!.snapshot.optimizer.second[0]!.data)).toEqual([Float32Array.of(0.01)[0], Float32Array.of(0.02)[0]]);
    expect(checkpointBytes(back!)).toBe(8 + 8 + 8 + 40);
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
