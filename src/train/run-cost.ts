/**
 * What the probe set costs beside training, before Train. A training step runs its batch's texts forward and
 * backward (backward about twice the forward: three forwards in all); a probe runs the same kind of texts for its
 * triples forward only, a micro-batch at a time. So one probe costs about probeSize / (3 · batchSize) steps of
 * compute, whatever the student: every student encodes the same texts per triple in training and in the probe, and
 * the attention's length² terms scale alike. Seconds come from a measured step time when there is one.
 */
import type { RunConfig } from '../config/run-config';

export interface ProbeCost {
  /** Steps' worth of compute one scoring of the probe set takes. */
  stepsEach: number;
  /** Scorings over the run: before the first step, every probeEvery steps, and after the last. */
  count: number;
  /** The probe's share of the run's compute, training included. */
  share: number;
}

export function probeCost(c: Pick<RunConfig, 'probeSize' | 'probeEvery' | 'batchSize' | 'steps'>): ProbeCost {
  const stepsEach = c.probeSize / (3 * c.batchSize);
  const count = 1 + Math.floor(c.steps / c.probeEvery) + (c.steps % c.probeEvery === 0 ? 0 : 1);
  const probing = count * stepsEach;
  return { stepsEach, count, share: probing / (c.steps + probing) };
}
