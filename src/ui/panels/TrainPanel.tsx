import { useState } from 'react';
import { useStore } from 'zustand';
import { LOSSES, LOSS_LABELS, type LossName } from '../../train/losses';
import { evaluationStore } from '../../state/evaluation';
import { activeDataset, datasetStore } from '../../state/datasets';
import { controlTraining, startTraining, trainingStore } from '../../state/training';
import { BACKENDS, DEFAULT_RUN_CONFIG, resolveRunConfig, type BackendChoice, type RunConfig } from '../../train/config';
import { ProgressBar } from '../ProgressBar';

const DRAFT_KEY = 'margin-studio.run-config';

function loadDraft(): RunConfig {
  try {
    return resolveRunConfig(JSON.parse(localStorage.getItem(DRAFT_KEY) ?? '{}') as Partial<RunConfig>);
  } catch {
    return DEFAULT_RUN_CONFIG;
  }
}

type NumericKey = Exclude<keyof RunConfig, 'backend' | 'loss' | 'standardizeTeacher'>;
const FIELDS: { key: NumericKey; label: string; testId: string; step?: string }[] = [
  { key: 'steps', label: 'Steps', testId: 'config-steps' },
  { key: 'batchSize', label: 'Batch size', testId: 'config-batch-size' },
  { key: 'learningRate', label: 'Learning rate', testId: 'config-learning-rate', step: 'any' },
  { key: 'seed', label: 'Seed', testId: 'config-seed' },
  { key: 'hidden', label: 'Hidden size', testId: 'config-hidden' },
  { key: 'layers', label: 'Layers', testId: 'config-layers' },
  { key: 'passageLength', label: 'Passage tokens', testId: 'config-passage-length' },
  { key: 'probeSize', label: 'Probe triples', testId: 'config-probe-size' },
  { key: 'evalEvery', label: 'Dev eval every (steps, 0 = off)', testId: 'config-eval-every' },
];

export function TrainPanel() {
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(loadDraft()).map(([k, v]) => [k, String(v)])));
  const [formError, setFormError] = useState('');
  const evaluating = useStore(evaluationStore, (e) => e.state === 'running');
  const dataset = useStore(datasetStore, activeDataset);
  const s = useStore(trainingStore);
  const active = s.state === 'loading' || s.state === 'running' || s.state === 'paused';

  const start = () => {
    if (!dataset) return;
    let config: RunConfig;
    try {
      const parsed = Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, k === 'backend' || k === 'loss' ? v : k === 'standardizeTeacher' ? v === 'true' : Number(v)]));
      config = resolveRunConfig(parsed as Partial<RunConfig>);
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
      return;
    }
    setFormError('');
    localStorage.setItem(DRAFT_KEY, JSON.stringify(config));
    void startTraining(dataset.id, config);
  };

  return (
    <section className="panel" aria-labelledby="train-title">
      <h2 id="train-title">Train</h2>
      <div className="grid-form">
        <label className="field">
          Student
          <select data-testid="arch-select" value="dot" disabled={active} onChange={() => undefined}>
            <option value="dot">dot (BERT_DOT, mean pooling)</option>
          </select>
        </label>
        <label className="field">
          Loss
          <select data-testid="loss-select" value={draft.loss ?? 'margin-mse'} disabled={active} onChange={(e) => setDraft({ ...draft, loss: e.target.value as LossName })}>
            {LOSSES.map((l) => (
              <option key={l} value={l}>
                {LOSS_LABELS[l]}
              </option>
            ))}
          </select>
        </label>
        {FIELDS.map((f) => (
          <label className="field" key={f.key}>
            {f.label}
            <input
              type="number"
              step={f.step ?? '1'}
              data-testid={f.testId}
              value={draft[f.key] ?? ''}
              disabled={active}
              onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
            />
          </label>
        ))}
        <label className="field">
          Backend
          <select data-testid="config-backend" value={draft.backend ?? 'auto'} disabled={active} onChange={(e) => setDraft({ ...draft, backend: e.target.value as BackendChoice })}>
            {BACKENDS.map((b) => (
              <option key={b} value={b}>
                {b === 'auto' ? 'auto (WebGPU first)' : b}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <input
            type="checkbox"
            data-testid="config-standardize-teacher"
            checked={draft.standardizeTeacher === 'true'}
            disabled={active}
            onChange={(e) => setDraft({ ...draft, standardizeTeacher: String(e.target.checked) })}
          />
          Standardise teacher scores (z-score; Margin-MSE does not need it)
        </label>
      </div>
      {formError && (
        <p className="error" role="alert" data-testid="config-error">
          {formError}
        </p>
      )}
      <div className="row">
        <button data-testid="train-start" onClick={start} disabled={active || !dataset || evaluating} title={evaluating ? 'an evaluation is running' : undefined}>
          Train
        </button>
        <button data-testid="train-pause" onClick={() => void controlTraining('pause')} disabled={s.state !== 'running'}>
          Pause
        </button>
        <button data-testid="train-resume" onClick={() => void controlTraining('resume')} disabled={s.state !== 'paused' || evaluating}>
          Resume
        </button>
        <button data-testid="train-stop" className="secondary" onClick={() => void controlTraining('stop')} disabled={!active}>
          Stop
        </button>
        <span className={`badge run-${s.state}`} data-testid="train-state" data-state={s.state}>
          {s.state}
        </span>
      </div>
      {s.state === 'error' && (
        <p className="error" role="alert" data-testid="train-error">
          {s.message}
        </p>
      )}
      {s.backend && s.backendNote && (
        <p className="warning" data-testid="backend-note">
          Running on <strong>{s.backend}</strong>, not WebGPU: {s.backendNote}.{s.backend === 'cpu' ? ' Training will be very slow.' : ''}
        </p>
      )}
      {(s.state === 'running' || s.state === 'paused') && (
        <ProgressBar label="Training" done={s.step} total={s.config.steps} rate={s.stepsPerSecond} unit="steps" testId="train-progress" />
      )}
      <dl className="stats">
        <dt>Backend</dt>
        <dd data-testid="backend">{s.backend ?? '–'}</dd>
        <dt>Step</dt>
        <dd data-testid="train-step">{s.step}</dd>
        <dt>Loss</dt>
        <dd data-testid="train-loss">{s.loss === null ? '' : s.loss.toPrecision(6)}</dd>
        <dt>Triples/s</dt>
        <dd data-testid="throughput">{s.triplesPerSecond ? s.triplesPerSecond.toFixed(1) : ''}</dd>
        <dt>Parameters</dt>
        <dd data-testid="param-count">{s.parameterCount || ''}</dd>
        <dt>Training triples</dt>
        <dd>
          {s.trainTriples ? `${s.trainTriples} (+${s.probeTriples} held out for the probe)` : '–'}
          {s.unresolvedTriples > 0 ? `; ${s.unresolvedTriples} skipped: ids missing from the dataset` : ''}
        </dd>
        <dt>Epoch</dt>
        <dd>{s.epoch}</dd>
        <dt>Tensors in worker</dt>
        <dd data-testid="worker-tensors" data-step={s.numTensorsStep}>
          {s.numTensors ?? ''}
        </dd>
      </dl>
    </section>
  );
}
