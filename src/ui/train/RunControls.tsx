import { useStore } from 'zustand';
import { controlTraining, startTraining, trainingStore } from '../../state/training';
import { configDraft } from '../../state/config-draft';
import { currentDataset, useActiveDatasetId, useEvaluating, useGridRunning, useRunActive } from './hooks';

/** Train, Pause, Resume, Stop, and the run's state. */
export function RunControls() {
  const state = useStore(trainingStore, (s) => s.state);
  const active = useRunActive();
  const gridRunning = useGridRunning();
  const evaluating = useEvaluating();
  const hasDataset = useActiveDatasetId() !== undefined;
  const start = () => {
    const dataset = currentDataset();
    // Validated (and remembered) only when there is something to train on, as the button promises.
    const config = dataset && configDraft.commit();
    if (dataset && config) void startTraining(dataset.id, config);
  };
  return (
    <div className="row">
      <button data-testid="train-start" onClick={start} disabled={active || gridRunning || !hasDataset || evaluating} title={evaluating ? 'an evaluation is running' : undefined}>
        Train
      </button>
      <button data-testid="train-pause" onClick={() => void controlTraining('pause')} disabled={state !== 'running'}>
        Pause
      </button>
      <button data-testid="train-resume" onClick={() => void controlTraining('resume')} disabled={state !== 'paused' || evaluating}>
        Resume
      </button>
      <button data-testid="train-stop" className="secondary" onClick={() => void controlTraining('stop')} disabled={!active}>
        Stop
      </button>
      <span className={`badge run-${state}`} data-testid="train-state" data-state={state}>
        {state}
      </span>
    </div>
  );
}
