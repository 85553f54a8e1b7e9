import { useState } from 'react';
import { loadWeightFiles } from '../../state/export';
import { currentDataset, useActiveDatasetId, useGridRunning, useRunActive } from './hooks';
import { errorMessage } from '../../util/errors';

/** "Load weights…": safetensors, tfjs or a project file, checked against the active dataset's tokenizer. */
export function LoadWeights() {
  const active = useRunActive();
  const gridRunning = useGridRunning();
  const hasDataset = useActiveDatasetId() !== undefined;
  const [error, setError] = useState('');
  return (
    <div className="row">
      <label className={`button-like secondary${active || !hasDataset ? ' disabled' : ''}`}>
        Load weights…
        <input
          type="file"
          multiple
          accept=".safetensors,.json,.bin,.msproject"
          data-testid="import-weights"
          className="visually-hidden"
          disabled={active || !hasDataset || gridRunning}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            const dataset = currentDataset();
            if (!dataset || files.length === 0) return;
            setError('');
            loadWeightFiles(files, dataset).catch((err: unknown) => setError(errorMessage(err)));
          }}
        />
      </label>
      <span className="hint">a .safetensors file, or model.json with weights.bin, to evaluate or export again; a .msproject file to continue its run</span>
      {error && (
        <span className="error" role="alert" data-testid="weights-error">
          {error}
        </span>
      )}
    </div>
  );
}
