import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { trainingStore } from '../../state/training';
import { ProgressBar } from '../ProgressBar';

export function TrainError() {
  const message = useStore(trainingStore, (s) => (s.state === 'error' ? s.message : null));
  if (message === null) return null;
  return (
    <p className="error" role="alert" data-testid="train-error">
      {message}
    </p>
  );
}

/** Why the run is not on WebGPU, when it is not. */
export function BackendNote() {
  const { backend, note } = useStore(trainingStore, useShallow((s) => ({ backend: s.backend, note: s.backendNote })));
  if (!backend || !note) return null;
  return (
    <p className="warning" data-testid="backend-note">
      Running on <strong>{backend}</strong>, not WebGPU: {note}.{backend === 'cpu' ? ' Training will be very slow.' : ''}
    </p>
  );
}

/** What the worker is doing before the first step (the first run on a dataset writes its training files). */
export function TrainPreparing() {
  const message = useStore(trainingStore, (s) => (s.state === 'loading' ? s.message : ''));
  if (!message) return null;
  return (
    <p className="hint" data-testid="train-preparing">
      {message}
    </p>
  );
}

export function TrainProgress() {
  const p = useStore(trainingStore, useShallow((s) => ({ state: s.state, step: s.step, steps: s.config.steps, rate: s.stepsPerSecond })));
  if (p.state !== 'running' && p.state !== 'paused') return null;
  return (
    <>
      <ProgressBar label="Training" done={p.step} total={p.steps} rate={p.rate} unit="steps" testId="train-progress" />
      {p.state === 'running' && p.rate === 0 && (
        // Until the first losses arrive: WebGPU compiles every shader on first use, which takes seconds.
        <p className="hint" data-testid="compiling-kernels">
          Compiling the GPU kernels and scoring the probe set before the first steps…
        </p>
      )}
    </>
  );
}

export function CheckpointStatus() {
  const checkpoint = useStore(trainingStore, (s) => s.checkpoint);
  const note = useStore(trainingStore, (s) => s.checkpointNote);
  return (
    <>
      {checkpoint && (
        <p className="hint" data-testid="checkpoint-status" data-step={checkpoint.step} data-bytes={checkpoint.bytes} data-seconds={checkpoint.seconds}>
          Checkpoint saved at step {checkpoint.step}: {(checkpoint.bytes / 1e6).toFixed(2)} MB in {checkpoint.seconds.toFixed(2)} s.
        </p>
      )}
      {note && (
        <p className="warning" data-testid="checkpoint-note">
          {note}
        </p>
      )}
    </>
  );
}
