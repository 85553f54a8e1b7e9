import { useState } from 'react';
import { useStore } from 'zustand';
import { LOSSES, LOSS_LABELS, type LossName } from '../../train/loss-names';
import { evaluationStore } from '../../state/evaluation';
import { activeDataset, datasetStore } from '../../state/datasets';
import { controlTraining, discardCheckpoint, resumeRun, startTraining, trainingStore } from '../../state/training';
import { BACKENDS, DEFAULT_RUN_CONFIG, POOLINGS, resolveRunConfig, type BackendChoice, type RunConfig } from '../../train/config';
import { ARCH_LABELS, ARCHS, isArch, type Arch } from '../../model/students/archs';
import { runGrid, runsStore } from '../../state/runs';
import { exportProject, exportReport, exportStudent, loadWeightFiles, type ExportFormat } from '../../state/export';
import { countParameters, studentConfig } from '../../model/students/sizes';
import { vocabSizeOf } from '../../text/tokenizers';
import { configFromHash, configToHash } from '../../train/config-url';
import { ProgressBar } from '../ProgressBar';

const DRAFT_KEY = 'margin-studio.run-config';

/** The config a shared address carries, else the one last used here, else the defaults. */
function loadDraft(): { config: RunConfig; error: string } {
  const shared = configFromHash(location.hash);
  if (shared && 'config' in shared) return { config: shared.config, error: '' };
  try {
    return { config: resolveRunConfig(JSON.parse(localStorage.getItem(DRAFT_KEY) ?? '{}') as Partial<RunConfig>), error: shared?.error ?? '' };
  } catch {
    return { config: DEFAULT_RUN_CONFIG, error: shared?.error ?? '' };
  }
}

const asDraft = (config: RunConfig): Record<string, string> => Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));

/** Config fields that are words, not numbers. */
const WORD_KEYS = new Set<keyof RunConfig>(['arch', 'loss', 'backend', 'pooling']);
type NumericKey = Exclude<keyof RunConfig, 'arch' | 'backend' | 'loss' | 'standardizeTeacher' | 'pooling'>;
const FIELDS: { key: NumericKey; label: string; testId: string; step?: string; only?: Arch }[] = [
  { key: 'steps', label: 'Steps', testId: 'config-steps' },
  { key: 'batchSize', label: 'Batch size', testId: 'config-batch-size' },
  { key: 'learningRate', label: 'Learning rate', testId: 'config-learning-rate', step: 'any' },
  { key: 'seed', label: 'Seed', testId: 'config-seed' },
  { key: 'hidden', label: 'Hidden size', testId: 'config-hidden' },
  { key: 'heads', label: 'Attention heads', testId: 'config-heads' },
  { key: 'ffn', label: 'Feed-forward size', testId: 'config-ffn' },
  { key: 'layers', label: 'Layers', testId: 'config-layers' },
  { key: 'jointLayers', label: 'Joint layers (above the split)', testId: 'config-joint-layers', only: 'prett' },
  { key: 'compressDim', label: 'Token vector size', testId: 'config-compress-dim', only: 'colbert' },
  { key: 'queryLength', label: 'Query tokens', testId: 'config-query-length' },
  { key: 'passageLength', label: 'Passage tokens', testId: 'config-passage-length' },
  { key: 'probeSize', label: 'Probe triples', testId: 'config-probe-size' },
  { key: 'evalEvery', label: 'Dev eval every (steps, 0 = off)', testId: 'config-eval-every' },
  { key: 'checkpointEvery', label: 'Checkpoint every (steps, 0 = each minute)', testId: 'config-checkpoint-every' },
];

function parseDraft(draft: Record<string, string>): RunConfig {
  const parsed = Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, WORD_KEYS.has(k as keyof RunConfig) ? v : k === 'standardizeTeacher' ? v === 'true' : Number(v)]));
  return resolveRunConfig(parsed as Partial<RunConfig>);
}

/** The configured student's size for the active dataset's tokenizer, or why it cannot be given. */
function plannedSize(draft: Record<string, string>, tokenizer: string | undefined): { count: number } | { why: string } {
  if (!tokenizer) return { why: 'choose a dataset' };
  const vocabSize = vocabSizeOf(tokenizer);
  if (vocabSize === null) return { why: `unknown tokenizer ${tokenizer}` };
  try {
    const config = parseDraft(draft);
    return { count: countParameters(config.arch, studentConfig(config, { vocabSize, cls: 1, sep: 2 })) };
  } catch (err) {
    return { why: err instanceof Error ? err.message : String(err) };
  }
}

export function TrainPanel() {
  const [initial] = useState(loadDraft);
  const [draft, setDraft] = useState<Record<string, string>>(() => asDraft(initial.config));
  const [formError, setFormError] = useState(initial.error);
  const [shareUrl, setShareUrl] = useState('');
  const evaluating = useStore(evaluationStore, (e) => e.state === 'running');
  const dataset = useStore(datasetStore, activeDataset);
  const s = useStore(trainingStore);
  const active = s.state === 'loading' || s.state === 'running' || s.state === 'paused';
  const arch: Arch = isArch(draft.arch) ? draft.arch : 'dot';
  const size = plannedSize(draft, dataset?.tokenizer);
  const grid = useStore(runsStore, (r) => r.grid);
  const gridRunning = grid?.state === 'running';
  const [gridArchs, setGridArchs] = useState<Arch[]>(['dot', 'colbert']);
  const [gridLosses, setGridLosses] = useState<LossName[]>(['margin-mse']);
  const gridSize = gridArchs.length * gridLosses.length;
  const toggle = <T,>(list: T[], item: T, on: boolean, order: readonly T[]): T[] => order.filter((x) => (x === item ? on : list.includes(x)));

  const [exportError, setExportError] = useState('');
  const [weightsError, setWeightsError] = useState('');
  const canExport = s.state === 'done' || s.state === 'stopped' || s.state === 'paused';
  const exportAs = (format: ExportFormat | 'project') => {
    setExportError('');
    (format === 'project' ? exportProject() : exportStudent(format)).catch((err: unknown) => setExportError(err instanceof Error ? err.message : String(err)));
  };

  /** The form as a valid config (remembered for the next visit), or null with the problem shown. */
  const validConfig = (): RunConfig | null => {
    try {
      const config = parseDraft(draft);
      setFormError('');
      localStorage.setItem(DRAFT_KEY, JSON.stringify(config));
      return config;
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
      return null;
    }
  };

  const share = () => {
    const config = validConfig();
    if (!config) return;
    const url = `${location.origin}${location.pathname}${configToHash(config)}`;
    setShareUrl(url);
    void navigator.clipboard?.writeText(url).catch(() => undefined);
  };

  const startGrid = () => {
    const config = dataset && validConfig();
    if (dataset && config) runGrid(dataset.id, config, gridArchs, gridLosses).catch((err: unknown) => setFormError(err instanceof Error ? err.message : String(err)));
  };

  const start = () => {
    const config = dataset && validConfig();
    if (dataset && config) void startTraining(dataset.id, config);
  };

  return (
    <section className="panel" aria-labelledby="train-title">
      <h2 id="train-title">Train</h2>
      <div className="grid-form">
        <label className="field">
          Student
          <select data-testid="arch-select" value={arch} disabled={active} onChange={(e) => setDraft({ ...draft, arch: e.target.value })}>
            {ARCHS.map((a) => (
              <option key={a} value={a} title={ARCH_LABELS[a]}>
                {a}
              </option>
            ))}
          </select>
        </label>
        {arch === 'dot' && (
          <label className="field">
            Pooling
            <select data-testid="config-pooling" value={draft.pooling ?? 'mean'} disabled={active} onChange={(e) => setDraft({ ...draft, pooling: e.target.value })}>
              {POOLINGS.map((p) => (
                <option key={p} value={p}>
                  {p === 'cls' ? '[CLS] vector' : 'mean of tokens'}
                </option>
              ))}
            </select>
          </label>
        )}
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
        {FIELDS.filter((f) => !f.only || f.only === arch).map((f) => (
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
      <p className="hint" data-testid="planned-size" data-params={'count' in size ? size.count : ''}>
        {ARCH_LABELS[arch]}.{' '}
        {'count' in size ? (
          <>
            <strong>{size.count.toLocaleString('en')}</strong> parameters with {dataset?.tokenizer}.
          </>
        ) : (
          `Size not known yet: ${size.why}.`
        )}
      </p>
      <div className="row">
        <button className="secondary" data-testid="config-share" onClick={share}>
          Share this config
        </button>
        {shareUrl && <input className="share-url" readOnly data-testid="config-share-url" value={shareUrl} onFocus={(e) => e.target.select()} aria-label="address of this run config" />}
      </div>
      {formError && (
        <p className="error" role="alert" data-testid="config-error">
          {formError}
        </p>
      )}
      <div className="row">
        <button data-testid="train-start" onClick={start} disabled={active || gridRunning || !dataset || evaluating} title={evaluating ? 'an evaluation is running' : undefined}>
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
      <fieldset className="grid-runs" disabled={active || gridRunning}>
        <legend>Grid: each student × each loss, one after another, same data, seed and settings</legend>
        <div className="row wrap">
          {ARCHS.map((a) => (
            <label key={a} className="inline">
              <input type="checkbox" data-testid={`grid-arch-${a}`} checked={gridArchs.includes(a)} onChange={(e) => setGridArchs(toggle(gridArchs, a, e.target.checked, ARCHS))} /> {a}
            </label>
          ))}
        </div>
        <div className="row wrap">
          {LOSSES.map((l) => (
            <label key={l} className="inline">
              <input type="checkbox" data-testid={`grid-loss-${l}`} checked={gridLosses.includes(l)} onChange={(e) => setGridLosses(toggle(gridLosses, l, e.target.checked, LOSSES))} /> {l}
            </label>
          ))}
        </div>
        <button data-testid="grid-start" onClick={startGrid} disabled={!dataset || gridSize === 0 || evaluating}>
          Run grid ({gridSize} {gridSize === 1 ? 'run' : 'runs'})
        </button>
      </fieldset>
      {grid && (
        <p className={`hint grid-${grid.state}`} data-testid="grid-progress" data-state={grid.state} data-index={grid.index} data-total={grid.runs.length}>
          {grid.state === 'running'
            ? `Grid run ${grid.index + 1} of ${grid.runs.length}: ${grid.runs[grid.index]?.arch} · ${grid.runs[grid.index]?.loss}. Stop ends the grid.`
            : grid.state === 'done'
              ? `Grid finished: ${grid.runs.length} runs, compared under Finished runs.`
              : `Grid ended early: ${grid.message}`}
        </p>
      )}
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
      {!active && !gridRunning && s.resumable.map((r) => (
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
      {s.checkpoint && (
        <p className="hint" data-testid="checkpoint-status" data-step={s.checkpoint.step} data-bytes={s.checkpoint.bytes} data-seconds={s.checkpoint.seconds}>
          Checkpoint saved at step {s.checkpoint.step}: {(s.checkpoint.bytes / 1e6).toFixed(2)} MB in {s.checkpoint.seconds.toFixed(2)} s.
        </p>
      )}
      {s.checkpointNote && (
        <p className="warning" data-testid="checkpoint-note">
          {s.checkpointNote}
        </p>
      )}
      <div className="row">
        <span>Export the student:</span>
        <button className="secondary" data-testid="export-safetensors" disabled={!canExport} onClick={() => void exportAs('safetensors')}>
          safetensors
        </button>
        <button className="secondary" data-testid="export-tfjs" disabled={!canExport} onClick={() => void exportAs('tfjs')}>
          tfjs (model.json + weights.bin)
        </button>
        <button className="secondary" data-testid="export-project" disabled={!canExport} onClick={() => void exportAs('project')}>
          project (.msproject)
        </button>
        <button className="secondary" data-testid="export-report" disabled={s.losses.length === 0} onClick={() => exportReport(dataset ?? null)}>
          run report (JSON)
        </button>
        {exportError && (
          <span className="error" data-testid="export-error">
            {exportError}
          </span>
        )}
      </div>
      <div className="row">
        <label className={`button-like secondary${active || !dataset ? ' disabled' : ''}`}>
          Load weights…
          <input
            type="file"
            multiple
            accept=".safetensors,.json,.bin,.msproject"
            data-testid="import-weights"
            className="visually-hidden"
            disabled={active || !dataset || gridRunning}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (!dataset || files.length === 0) return;
              setWeightsError('');
              loadWeightFiles(files, dataset).catch((err: unknown) => setWeightsError(err instanceof Error ? err.message : String(err)));
            }}
          />
        </label>
        <span className="hint">
          a .safetensors file, or model.json with weights.bin, to evaluate or export again; a .msproject file to continue its run
        </span>
        {weightsError && (
          <span className="error" role="alert" data-testid="weights-error">
            {weightsError}
          </span>
        )}
      </div>
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
