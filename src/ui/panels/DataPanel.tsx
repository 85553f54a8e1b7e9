import { useStore } from 'zustand';
import { activeDataset, cancelImport, datasetStore, loadDemo, setActiveDataset } from '../../state/datasets';
import { ProgressBar } from '../ProgressBar';
import { fmt } from '../format';

export function DataPanel() {
  const datasets = useStore(datasetStore, (s) => s.datasets);
  const active = useStore(datasetStore, activeDataset);
  const importState = useStore(datasetStore, (s) => s.importState);
  const importError = useStore(datasetStore, (s) => s.importError);
  const progress = useStore(datasetStore, (s) => s.progress);
  const counts = active?.counts;

  return (
    <section className="panel" aria-labelledby="data-title">
      <h2 id="data-title">Data</h2>
      <div className="row">
        <button data-testid="load-demo" onClick={() => void loadDemo()} disabled={importState === 'running'}>
          Load demo dataset
        </button>
        {importState === 'running' && (
          <button className="secondary" onClick={() => void cancelImport()}>
            Cancel
          </button>
        )}
        <span className={`badge state-${importState}`} data-testid="import-status" data-state={importState}>
          {importState === 'running' ? 'importing…' : importState === 'done' ? 'imported' : importState === 'error' ? 'import failed' : 'idle'}
        </span>
      </div>
      {importState === 'running' && progress && (
        <ProgressBar label={progress.phase === 'generating' ? 'Generating corpus' : 'Storing in IndexedDB'} done={progress.done} total={progress.total} rate={progress.rate} unit="rows" testId="import-progress" />
      )}
      {importState === 'error' && (
        <p className="error" role="alert" data-testid="import-error">
          {importError}
        </p>
      )}
      {datasets.length > 1 && (
        <label className="field">
          Active dataset
          <select value={active?.id ?? ''} onChange={(e) => setActiveDataset(e.target.value)} data-testid="dataset-select">
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <dl
        className="summary"
        data-testid="dataset-summary"
        data-dataset={active?.id ?? ''}
        data-passages={counts?.passages ?? 0}
        data-queries={counts?.queries ?? 0}
        data-triples={counts?.triples ?? 0}
        data-qrels={counts?.qrels ?? 0}
        data-candidates={counts?.candidates ?? 0}
      >
        {active ? (
          <>
            <dt>Dataset</dt>
            <dd>{active.name}</dd>
            <dt>Passages</dt>
            <dd>{counts?.passages}</dd>
            <dt>Queries</dt>
            <dd>{counts?.queries}</dd>
            <dt>Teacher triples</dt>
            <dd>{counts?.triples}</dd>
            <dt>Qrels</dt>
            <dd>{counts?.qrels}</dd>
            <dt>Candidates</dt>
            <dd>{counts?.candidates}</dd>
            <dt>Stored</dt>
            <dd>{fmt(active.bytes / 1e6)} MB</dd>
            <dt>Tokenizer</dt>
            <dd>{active.tokenizer}</dd>
          </>
        ) : (
          <dd>No dataset yet.</dd>
        )}
      </dl>
    </section>
  );
}
