import { useState } from 'react';
import { useStore } from 'zustand';
import { activeDataset, cancelImport, datasetStore, importChosenFiles, loadDemo, setActiveDataset } from '../../state/datasets';
import { isLayout, LAYOUT_LABELS, LAYOUTS, type Layout } from '../../data/formats/layouts';
import { DEFAULT_TOKENIZER, isTokenizerChoice, TOKENIZER_CHOICES, TOKENIZER_LABELS, type TokenizerChoice } from '../../text/tokenizers';
import { ProgressBar } from '../ProgressBar';
import { fmt } from '../format';

const STATE_TEXT = { running: 'importing…', done: 'imported', error: 'import failed', idle: 'idle' } as const;

export function DataPanel() {
  const datasets = useStore(datasetStore, (s) => s.datasets);
  const active = useStore(datasetStore, activeDataset);
  const importState = useStore(datasetStore, (s) => s.importState);
  const importError = useStore(datasetStore, (s) => s.importError);
  const importNotice = useStore(datasetStore, (s) => s.importNotice);
  const importRefused = useStore(datasetStore, (s) => s.importRefused);
  const progress = useStore(datasetStore, (s) => s.progress);
  const [layout, setLayout] = useState<Layout | 'auto'>('auto');
  const [append, setAppend] = useState(false);
  const [tokenizer, setTokenizer] = useState<TokenizerChoice>(DEFAULT_TOKENIZER);
  const running = importState === 'running';
  const counts = active?.counts;

  return (
    <section className="panel step" id="step-data" aria-labelledby="data-title">
      <h2 id="data-title">
        <span className="step-number">1</span> Data
      </h2>
      <div className="row">
        <button data-testid="load-demo" onClick={() => void loadDemo()} disabled={running}>
          Load demo dataset
        </button>
        {/* Never disabled: files chosen while the demo is generated replace it; while other files import, the
            choice is refused with a message rather than silently ignored. */}
        <label className="button-like">
          Import files…
          <input
            type="file"
            multiple
            data-testid="import-files"
            className="visually-hidden"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              // Cleared so that choosing the same file again (after fixing it) starts a new import.
              e.target.value = '';
              void importChosenFiles(files, layout === 'auto' ? undefined : layout, append && active ? active.id : undefined, tokenizer);
            }}
          />
        </label>
        {running && (
          <button className="secondary" data-testid="import-cancel" onClick={() => void cancelImport()}>
            Cancel
          </button>
        )}
        <span className={`badge state-${importState}`} data-testid="import-status" data-state={importState}>
          {STATE_TEXT[importState]}
        </span>
      </div>
      {/* How files are read: detected by default, so folded; the page object opens it to drive these. */}
      <details className="fold" data-testid="import-options">
        <summary>Import options: layout, tokenizer, adding to a dataset</summary>
        <label className="field inline">
          Read files as
          <select value={layout} data-testid="import-layout" disabled={running} onChange={(e) => setLayout(isLayout(e.target.value) ? e.target.value : 'auto')}>
            <option value="auto">detect from content</option>
            {LAYOUTS.map((l) => (
              <option key={l} value={l}>
                {LAYOUT_LABELS[l]}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          Tokenize texts with
          <select value={tokenizer} data-testid="import-tokenizer" disabled={running || (append && !!active)} onChange={(e) => isTokenizerChoice(e.target.value) && setTokenizer(e.target.value)}>
            {TOKENIZER_CHOICES.map((t) => (
              <option key={t} value={t}>
                {TOKENIZER_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <input type="checkbox" data-testid="import-append" checked={append && !!active} disabled={running || !active} onChange={(e) => setAppend(e.target.checked)} />
          Add the files to the active dataset{active ? ` (${active.name})` : ''} instead of making a new one
        </label>
        <p className="hint">
          Teacher scores (id-based, text-based or JSONL), collections, queries, qrels and TREC runs; <code>.gz</code> too. Files chosen together become one dataset. A WordPiece{' '}
          <code>vocab.txt</code> chosen with them (first line <code>[PAD]</code>) tokenizes them with that vocabulary instead. Added files are tokenized as the dataset's texts were.
        </p>
      </details>
      {running && progress && (
        <>
          <ProgressBar label={progress.label} done={progress.done} total={progress.total} rate={progress.rate} unit={progress.unit} testId="import-progress" />
          {progress.phase === 'reading' && (
            <p className="hint" data-testid="import-rows" data-rows={progress.rows}>
              {fmt(progress.rows, 4)} lines · {fmt(progress.rowsPerSecond)} lines/s
            </p>
          )}
        </>
      )}
      {importNotice && (
        <p className="warning" data-testid="import-notice">
          {importNotice}
        </p>
      )}
      {importRefused && (
        <p className="warning" role="status" data-testid="import-refused">
          {importRefused}
        </p>
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
