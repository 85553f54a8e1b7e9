import { describe, expect, it } from 'vitest';
import { applyTrainerEvent, trainingStore } from './training';
import { probeView } from '../eval/probe-view';

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
    const teacher = { pos: Float32Array.of(1), neg: Float32Array.of(0) };
    const probe = (step: number) => {
      const student = { pos: Float32Array.of(step), neg: Float32Array.of(0) };
      return { type: 'probe' as const, step, studentPos: student.pos, studentNeg: student.neg, view: probeView(teacher, student) };
    };
    s = { ...s, ...applyTrainerEvent(s, probe(0)) };
    s = { ...s, ...applyTrainerEvent(s, probe(20)) };
    expect(s.lastProbe?.step).toBe(20);
    expect(s.probeView?.step).toBe(20);
    // The student's one margin, 20, in the last of the shared bins over [1, 20]; the teacher's, 1, in the first.
    expect(s.probeView?.margins.bins.at(-1)?.counts).toEqual([0, 1]);
    expect(s.probeView?.margins.bins[0]?.counts).toEqual([1, 0]);
    // The teacher's bins, the same at every probe, stay the object the chart already drew.
    const teacherBins = s.probeView?.scores.teacher;
    s = { ...s, ...applyTrainerEvent(s, probe(40)) };
    expect(s.probeView?.scores.teacher).toBe(teacherBins);
    // The student's are new: scores 40 (positive) and 0 (negative), mean 20.
    expect(s.probeView?.scores.student.stats.mean).toBe(20);
  });

  it('records at each probe how closely student margins follow the teacher, as the worker measured it', () => {
    const teacher = { pos: Float32Array.of(3, 2, 1, 4), neg: Float32Array.of(0, 0, 0, 0) };
    const probe = (step: number, pos: number[]) => {
      const student = { pos: Float32Array.from(pos), neg: Float32Array.of(0, 0, 0, 0) };
      return { type: 'probe' as const, step, studentPos: student.pos, studentNeg: student.neg, view: probeView(teacher, student) };
    };
    let s: typeof initial = { ...initial, teacherProbe: teacher };
    // Student margins 6, 4, 2, 8 follow the teacher's order on a line → r = τ = 1; then 1, 2, 3, 0 reverses them → −1.
    s = { ...s, ...applyTrainerEvent(s, probe(0, [6, 4, 2, 8])) };
    s = { ...s, ...applyTrainerEvent(s, probe(20, [1, 2, 3, 0])) };
    // A probe repeated at a step (loaded weights probed again) replaces that step's entry.
    s = { ...s, ...applyTrainerEvent(s, probe(20, [1, 2, 3, 0])) };
    expect(s.agreement.map((a) => [a.step, Number(a.pearson.toFixed(6)), Number(a.kendall.toFixed(6))])).toEqual([
      [0, 1, 1],
      [20, -1, -1],
    ]);
    // Margin-MSE: step 0, margins 6, 4, 2, 8 against 3, 2, 1, 4 → (9 + 4 + 1 + 16) / 4 = 7.5;
    // step 20, margins 1, 2, 3, 0 → (4 + 0 + 4 + 16) / 4 = 6.
    expect(s.agreement.map((a) => a.marginMse)).toEqual([7.5, 6]);
  });

  it('takes status messages', () => {
    expect(applyTrainerEvent(initial, { type: 'status', state: 'error', message: 'boom' })).toEqual({ state: 'error', message: 'boom' });
  });
});
