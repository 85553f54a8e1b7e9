import { useState } from 'react';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { exportProject, exportReport, exportStudent, type ExportFormat } from '../../state/export';
import { currentDataset, errorText } from './hooks';
import { exportHuggingFace, modelsStore } from '../../state/models';
import { evaluationStore } from '../../state/evaluation';

/** Downloads of the student (safetensors, tfjs, project) and of the run report. */
export function ExportRow() {
  const canExport = useStore(trainingStore, (s) => s.state === 'done' || s.state === 'stopped' || s.state === 'paused');
  const hasLosses = useStore(trainingStore, (s) => s.losses.length > 0);
  const [error, setError] = useState('');
  const hfState = useStore(modelsStore, (s) => s.exportState);
  const hfError = useStore(modelsStore, (s) => s.exportError);
  const exportAs = (format: ExportFormat | 'project') => {
    setError('');
    (format === 'project' ? exportProject() : exportStudent(format)).catch((err: unknown) => setError(errorText(err)));
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
      {(error || hfError) && (
        <span className="error" data-testid="export-error">
          {error || hfError}
        </span>
      )}
    </div>
  );
}
