import { useState } from 'react';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { exportProject, exportReport, exportStudent, type ExportFormat } from '../../state/export';
import { currentDataset } from './hooks';
import { errorMessage } from '../../util/errors';
import { exportHuggingFace, exportWeb, modelsStore } from '../../state/models';
import { evaluationStore } from '../../state/evaluation';
import { exportHandoff, handoffStore, setHandoffOptions } from '../../state/handoff';
import { ProgressBar } from '../ProgressBar';
import { fmt } from '../format';

/** Continue on GPUs: the run as data + a sentence-transformers script, with where it starts and how much collection. */
function HandoffControls({ canExport }: { canExport: boolean }) {
  const h = useStore(handoffStore);
  const running = h.state === 'running';
  return (
    <div className="handoff" data-testid="handoff">
      <span>Continue on GPUs:</span>
      <label className="inline">
        from{' '}
        <select data-testid="handoff-start" value={h.from} disabled={running} onChange={(e) => setHandoffOptions({ from: e.target.value === 'current' ? 'current' : 'start' })}>
          <option value="start">the checkpoint the run began from</option>
          <option value="current">the student as trained here</option>
        </select>
      </label>
      <label className="inline">
        <input type="checkbox" data-testid="handoff-whole" checked={h.wholeCollection} disabled={running} onChange={(e) => setHandoffOptions({ wholeCollection: e.target.checked })} /> whole collection
      </label>
      <button
        className="secondary"
        data-testid="export-handoff"
        data-state={h.state}
        disabled={!canExport || running}
        title="a zip with the data, the model, and train.py for sentence-transformers (one GPU, accelerate or torchrun)"
        onClick={() => {
          const dataset = currentDataset();
          if (dataset) void exportHandoff(dataset.id);
        }}
      >
        handoff (.zip)
      </button>
      {running && h.progress && (
        <ProgressBar label={`writing ${h.progress.phase} (${fmt(h.progress.bytes / 1e6)} MB of zip so far)`} done={h.progress.done} total={h.progress.total} rate={h.progress.rate} unit={h.progress.phase === 'model' ? 'files' : 'rows'} testId="handoff-progress" />
      )}
      {h.state === 'done' && h.counts && (
        <span className="hint" data-testid="handoff-summary" {...Object.fromEntries(Object.entries(h.counts).map(([k, v]) => [`data-${k.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`, v]))}>
          {Object.entries(h.counts)
            .map(([k, v]) => `${v} ${k}`)
            .join(' · ')}
          {h.missingPassages > 0 && ` · ${h.missingPassages} passages the triples name are not in the collection`}
        </span>
      )}
      {h.state === 'error' && (
        <span className="error" role="alert" data-testid="handoff-error">
          {h.error}
        </span>
      )}
    </div>
  );
}

/** Downloads of the student (safetensors, tfjs, project) and of the run report. */
export function ExportRow() {
  const canExport = useStore(trainingStore, (s) => s.state === 'done' || s.state === 'stopped' || s.state === 'paused');
  const hasLosses = useStore(trainingStore, (s) => s.losses.length > 0);
  const [error, setError] = useState('');
  const hfState = useStore(modelsStore, (s) => s.exportState);
  const hfError = useStore(modelsStore, (s) => s.exportError);
  const webState = useStore(modelsStore, (s) => s.webExportState);
  const webError = useStore(modelsStore, (s) => s.webExportError);
  const exportAs = (format: ExportFormat | 'project') => {
    setError('');
    (format === 'project' ? exportProject() : exportStudent(format)).catch((err: unknown) => setError(errorMessage(err)));
  };
  return (
    <div className="row">
      <span>Export the student:</span>
      <button className="secondary" data-testid="export-safetensors" disabled={!canExport} onClick={() => exportAs('safetensors')}>
        safetensors
      </button>
      <button className="secondary" data-testid="export-tfjs" disabled={!canExport} onClick={() => exportAs('tfjs')}>
        tfjs (model.json + weights.bin)
      </button>
      <button className="secondary" data-testid="export-project" disabled={!canExport} onClick={() => exportAs('project')}>
        project (.msproject)
      </button>
      <button className="secondary" data-testid="export-report" disabled={!hasLosses} onClick={() => exportReport(currentDataset() ?? null)}>
        run report (JSON)
      </button>
      <button
        className="secondary"
        data-testid="export-hf"
        data-state={hfState}
        disabled={!canExport || hfState === 'running'}
        title="a folder that sentence-transformers (dot) or CrossEncoder (cat) loads, zipped; for students started from a pretrained model"
        onClick={() => void exportHuggingFace(currentDataset() ?? null, evaluationStore.getState().report)}
      >
        Hugging Face folder (.zip)
      </button>
      <button
        className="secondary"
        data-testid="export-web"
        data-state={webState}
        disabled={!canExport || webState === 'running'}
        title="a folder a web page loads with transformers.js: ONNX (float32 and int8), tokenizer.json, and a README with the code that scores; for dot and cat students started from a pretrained model"
        onClick={() => void exportWeb(currentDataset() ?? null, evaluationStore.getState().report)}
      >
        Web page (transformers.js, .zip)
      </button>
      {webError && (
        <span className="error" role="alert" data-testid="export-web-error">
          {webError}
        </span>
      )}
      <HandoffControls canExport={canExport} />
      {(error || hfError) && (
        <span className="error" data-testid="export-error">
          {error || hfError}
        </span>
      )}
    </div>
  );
}
