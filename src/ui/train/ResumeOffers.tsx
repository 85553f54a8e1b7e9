import { useStore } from 'zustand';
import { discardCheckpoint, resumeRun, trainingStore } from '../../state/training';
import { useEvaluating, useGridRunning, useRunActive } from './hooks';

/** Runs cut off by a reload, a closed tab or a lost GPU, each offered for resuming from its last checkpoint. */
export function ResumeOffers() {
  const resumable = useStore(trainingStore, (s) => s.resumable);
  const active = useRunActive();
  const gridRunning = useGridRunning();
  const evaluating = useEvaluating();
  if (active || gridRunning) return null;
  return (
    <>
      {resumable.map((r) => (
        <div className="notice resume-offer" key={r.runId} data-testid="resume-offer" data-run-id={r.runId} data-step={r.step}>
          A run was cut off: {r.config.arch} · {r.config.loss}, seed {r.config.seed}, at step {r.step} of {r.config.steps} (checkpoint saved{' '}
          {new Date(r.savedAt).toLocaleTimeString()}).{' '}
          <button data-testid="checkpoint-resume" onClick={() => void resumeRun(r)} disabled={evaluating}>
            Resume from step {r.step}
          </button>{' '}
          <button className="secondary" data-testid="checkpoint-discard" onClick={() => void discardCheckpoint(r.runId)}>
            Discard
          </button>
        </div>
      ))}
    </>
  );
}
