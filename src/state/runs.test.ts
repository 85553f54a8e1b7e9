import { describe, expect, it } from 'vitest';
import { addRun, gridCombinations, recordFinishedRuns, runsStore, snapshotRun } from './runs';
import { trainingStore } from './training';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';

describe('finished runs', () => {
  it('lists grid combinations architectures first, in the order chosen', () => {
    expect(gridCombinations(['tk', 'dot'], ['ranknet', 'margin-mse'])).toEqual([
      { arch: 'tk', loss: 'ranknet' },
      { arch: 'tk', loss: 'margin-mse' },
      { arch: 'dot', loss: 'ranknet' },
      { arch: 'dot', loss: 'margin-mse' },
    ]);
    expect(gridCombinations([], ['mse'])).toEqual([]);
  });

  it('keeps a copy of the run as it ended, not a view of the live state', () => {
    const state = {
      ...trainingStore.getState(),
      config: { ...DEFAULT_RUN_CONFIG, arch: 'colbert' as const },
      losses: [3, 2, 1],
      parameterCount: 1234,
      teacherProbe: { pos: Float32Array.of(9), neg: Float32Array.of(7) },
      lastProbe: { step: 3, pos: Float32Array.of(1.5), neg: Float32Array.of(0.5) },
    };
    const run = snapshotRun(state, 'ds-1', 'done', 1000, 'grid-x');
    state.losses.push(0);
    expect(run).toMatchObject({ datasetId: 'ds-1', endedAs: 'done', parameterCount: 1234, losses: [3, 2, 1], teacher: { pos: [9], neg: [7] }, student: { step: 3, pos: [1.5], neg: [0.5] }, grid: 'grid-x' });
    expect(run.config.arch).toBe('colbert');
  });

  it('records a run when training ends after some steps, and only then', () => {
    const stop = recordFinishedRuns();
    const before = runsStore.getState().runs.length;
    trainingStore.setState({ state: 'loading', datasetId: 'ds-2', losses: [] });
    trainingStore.setState({ state: 'running' });
    trainingStore.setState({ state: 'error' });
    expect(runsStore.getState().runs).toHaveLength(before);
    trainingStore.setState({ state: 'running', losses: [1, 0.5] });
    trainingStore.setState({ state: 'done' });
    trainingStore.setState({ state: 'done' });
    const runs = runsStore.getState().runs;
    expect(runs).toHaveLength(before + 1);
    expect(runs.at(-1)).toMatchObject({ datasetId: 'ds-2', losses: [1, 0.5], endedAs: 'done' });
    stop();
  });

  it('keeps at most the newest 60 runs', () => {
    const base = snapshotRun(trainingStore.getState(), 'ds', 'done', 1);
    for (let i = 0; i < 70; i++) addRun({ ...base, id: `r${i}` });
    const ids = runsStore.getState().runs.map((r) => r.id);
    expect(ids).toHaveLength(60);
    expect(ids.at(-1)).toBe('r69');
    expect(ids[0]).toBe('r10');
  });
});
