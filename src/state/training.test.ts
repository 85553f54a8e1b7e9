import { describe, expect, it } from 'vitest';
import { applyTrainerEvent, trainingStore } from './training';

describe('applyTrainerEvent', () => {
  const initial = trainingStore.getState();

  it('folds metric deltas into the loss history by step number', () => {
    let s = initial;
    s = { ...s, ...applyTrainerEvent(s, { type: 'metrics', steps: Int32Array.of(1, 2), losses: Float32Array.of(4, 3), epoch: 0, stepsPerSecond: 2, triplesPerSecond: 64, numTensors: 50 }) };
    s = { ...s, ...applyTrainerEvent(s, { type: 'metrics', steps: Int32Array.of(3), losses: Float32Array.of(2), epoch: 1, stepsPerSecond: 1, triplesPerSecond: 32, numTensors: 50 }) };
    expect(s.losses).toEqual([4, 3, 2]);
    expect(s.step).toBe(3);
    expect(s.loss).toBe(2);
    expect(s.triplesPerSecond).toBe(32);
    expect(s.numTensorsStep).toBe(3);
    expect(initial.losses).toEqual([]);
  });

  it('keeps the latest probe for the charts', () => {
    let s = initial;
    const probe = (step: number) => ({ type: 'probe' as const, step, studentPos: Float32Array.of(step), studentNeg: Float32Array.of(0) });
    s = { ...s, ...applyTrainerEvent(s, probe(0)) };
    s = { ...s, ...applyTrainerEvent(s, probe(20)) };
    expect(s.lastProbe?.step).toBe(20);
  });

  it('takes status messages', () => {
    expect(applyTrainerEvent(initial, { type: 'status', state: 'error', message: 'boom' })).toEqual({ state: 'error', message: 'boom' });
  });
});
