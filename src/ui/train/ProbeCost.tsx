import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { configDraftStore, parseDraft } from '../../state/config-draft';
import { trainingStore } from '../../state/training';
import { probeCost } from '../../train/run-cost';
import type { RunConfig } from '../../config/run-config';

/** The fields that fix a step's time: a measured step of a run that shares them times the draft's steps. */
const STEP_SHAPE = ['arch', 'start', 'batchSize', 'microBatch', 'queryLength', 'passageLength', 'hidden', 'heads', 'ffn', 'layers', 'kernels', 'backend'] as const satisfies readonly (keyof RunConfig)[];

/** The probe set's cost before Train: steps' worth of compute each, its share of the run, seconds once a step was timed. */
export function ProbeCost() {
  const draft = useStore(configDraftStore, (s) => s.draft);
  const measured = useStore(trainingStore, useShallow((s) => ({ config: s.config, stepsPerSecond: s.stepsPerSecond })));
  const view = useMemo(() => {
    try {
      const config = parseDraft(draft);
      const same = measured.stepsPerSecond > 0 && STEP_SHAPE.every((k) => measured.config[k] === config[k]);
      return { config, cost: probeCost(config), secondsPerStep: same ? 1 / measured.stepsPerSecond : null };
    } catch {
      return null;
    }
  }, [draft, measured]);
  if (!view) return null;
  const { config, cost, secondsPerStep } = view;
  const each = secondsPerStep === null ? null : cost.stepsEach * secondsPerStep;
  return (
    <p className="hint" data-testid="probe-cost" data-steps-each={cost.stepsEach} data-share={cost.share} data-seconds-each={each ?? ''}>
      Probe set: {config.probeSize} triples scored {cost.count} times (every {config.probeEvery} steps), each about {cost.stepsEach.toFixed(cost.stepsEach < 10 ? 1 : 0)} training
      steps of compute: {(100 * cost.share).toFixed(0)}% of the run
      {each === null ? ' (seconds show once a step of this shape has been timed)' : `, about ${each.toFixed(each < 10 ? 1 : 0)} s each on this adapter (from the last run's step time)`}.
      {cost.share > 0.2 ? ' Fewer probe triples or a longer probe interval make it cheaper.' : ''}
    </p>
  );
}
