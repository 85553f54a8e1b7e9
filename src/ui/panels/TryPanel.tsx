import { useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { tryQuery, tryStore } from '../../state/try';
import { trainingStore } from '../../state/training';
import { activeDataset, datasetStore } from '../../state/datasets';
import { ProgressBar } from '../ProgressBar';
import { evaluationStore } from '../../state/evaluation';

/** A query a person types, and the top passages of the active dataset under the current student. */
export function TryPanel() {
  const [query, setQuery] = useState('');
  const datasetId = useStore(datasetStore, (s) => activeDataset(s)?.id);
  const hasStudent = useStore(trainingStore, (s) => s.state === 'done' || s.state === 'stopped' || s.state === 'paused');
  const { state, error, result } = useStore(tryStore, useShallow((s) => ({ state: s.state, error: s.error, result: s.result })));
  const progress = useStore(evaluationStore, (e) => e.progress);
  const run = () => {
    if (datasetId) void tryQuery(datasetId, query);
  };
  return (
    <section className="panel step" id="step-try" aria-labelledby="try-title">
      <h2 id="try-title">
        <span className="step-number">5</span> Try the student
      </h2>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <input className="grow" type="search" data-testid="try-query" placeholder="type a query" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="query" />
        <button type="submit" data-testid="try-run" data-state={state} disabled={!datasetId || !hasStudent || state === 'running' || query.trim() === ''} title={hasStudent ? undefined : 'train a student, or pause the run, first'}>
          Rank
        </button>
      </form>
      {state === 'running' && progress && progress.phase === 'encoding' && <ProgressBar label="Encoding the collection" done={progress.done} total={progress.total} rate={progress.rate} unit="passages" testId="try-progress" />}
      {state === 'error' && (
        <p className="error" role="alert" data-testid="try-error">
          {error}
        </p>
      )}
      {result && state !== 'error' && (
        <>
          <p className="hint" data-testid="try-summary" data-method={result.method}>
            {result.method === 'dense' ? `Exact search over all ${result.scored} passages` : `BM25's top ${result.scored} re-ranked`} in {result.seconds.toFixed(2)} s.
            {result.qid === null ? ' No dataset query has this text, so there are no teacher scores or judgements to show.' : ` Teacher scores and grades of dataset query ${result.qid}.`}
          </p>
          <ol className="try-results">
            {result.hits.map((h) => (
              <li key={h.pid} data-testid="try-result" data-pid={h.pid} data-score={h.score} data-teacher={h.teacher ?? ''} data-grade={h.grade ?? ''}>
                <span className="try-scores">
                  student <strong>{h.score.toFixed(3)}</strong>
                  {h.teacher !== null && <> · teacher {h.teacher.toFixed(3)}</>}
                  {h.grade !== null && <> · grade {h.grade}</>} · passage {h.pid}
                </span>
                <span className="try-text">{h.text}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
