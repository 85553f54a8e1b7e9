/**
 * The learning rate at each step: linear warm-up from 0 over `warmupSteps`, then constant, or decaying linearly to
 * 0 at the last step (the schedule BERT fine-tuning uses). Steps count from 1: step 1 is the first update.
 */
import type { Schedule } from '../config/run-config';

export interface ScheduleConfig {
  learningRate: number;
  warmupSteps: number;
  schedule: Schedule;
  steps: number;
}

export function learningRateAt(c: ScheduleConfig, step: number): number {
  if (c.warmupSteps > 0 && step <= c.warmupSteps) return (c.learningRate * step) / c.warmupSteps;
  if (c.schedule === 'constant') return c.learningRate;
  const decaySteps = c.steps - c.warmupSteps;
  if (decaySteps <= 0) return c.learningRate;
  return c.learningRate * Math.max(0, (c.steps - step) / decaySteps);
}

/** The schedule sampled at about `points` steps (first and last included), for a chart before training. */
export function scheduleCurve(c: ScheduleConfig, points = 100): { step: number; lr: number }[] {
  const stride = Math.max(1, Math.floor(c.steps / points));
  const out: { step: number; lr: number }[] = [];
  for (let s = 1; s <= c.steps; s += stride) out.push({ step: s, lr: learningRateAt(c, s) });
  if (out.at(-1)?.step !== c.steps) out.push({ step: c.steps, lr: learningRateAt(c, c.steps) });
  if (c.warmupSteps > 0 && c.warmupSteps < c.steps && !out.some((p) => p.step === c.warmupSteps)) {
    out.push({ step: c.warmupSteps, lr: learningRateAt(c, c.warmupSteps) });
    out.sort((a, b) => a.step - b.step);
  }
  return out;
}
