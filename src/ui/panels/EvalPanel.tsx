import { useStore } from 'zustand';
import { activeDataset, datasetStore } from '../../state/datasets';
import { evaluationStore, runEvaluation } from '../../state/evaluation';
import { trainingStore } from '../../state/training';
import { modelsStore } from '../../state/models';
import { useShallow } from 'zustand/react/shallow';
import type { EvalReport, SystemRow } from '../../eval/rerank';
import { fixed4 } from '../../eval/metrics';
import { ProgressBar } from '../ProgressBar';

const PHASES = {
  preparing: 'Writing the token rows (once per dataset)',
  indexing: 'Indexing the collection for BM25 (once per dataset)',
  merging: 'Merging the BM25 index',
  teacher: "The teacher's scores (stored, or the library cross-encoder scoring candidates)",
  bm25: 'BM25 retrieval',
  scoring: 'Student scoring candidates',
  metrics: 'Computing metrics',
  encoding: 'Encoding the collection with the student',
  searching: 'Exact top-1000 search',
} as const;

const UNITS: Record<keyof typeof PHASES, string> = {
  preparing: 'rows',
  indexing: 'passages',
  merging: 'terms',
  teacher: 'chunks',
  bm25: 'queries',
  scoring: 'pairs',
  metrics: 'steps',
  encoding: 'passages',
  searching: 'passages',
};


function PerQuery({ report }: { report: EvalReport }) {
  const systems = report.rows.map((r) => r.system).filter((s) => report.perQuery.some((q) => q.values[s]));
  return (
    <details className="per-query">
      <summary>Per query ({report.perQuery.length} shown; RR@10 per system; open a query for the {report.topSystem}'s top 10)</summary>
      {report.perQuery.map((q) => (
        <details key={q.qid} data-testid="eval-query" data-qid={q.qid}>
          <summary>
            <span className="qid">{q.qid}</span> {q.query}{' '}
            <span className="caption-stats">{systems.map((s) => `${s.replace(/^run:/, '')} ${q.values[s] ? q.values[s].rr10.toFixed(2) : '–'}`).join(' · ')}</span>
          </summary>
          <ol className="top-passages">
            {q.top.map((p) => (
              <li key={p.pid} className={p.grade >= report.threshold ? 'relevant' : ''}>
                <span className="qid">{p.pid}</span> {p.grade > 0 ? <strong>grade {p.grade}</strong> : null} {p.text}
              </li>
            ))}
          </ol>
        </details>
      ))}
    </details>
  );
}

/** One system's row of the evaluation table; its metrics also as data attributes for tests and scripts. */
function EvalRow({ system, label, row: r, title, className }: { system: string; label: string; row: SystemRow; title: string; className?: string }) {
  return (
    <tr
      className={className}
      data-testid="eval-row"
      data-system={system}
      data-mrr10={fixed4(r.mrr10)}
      data-ndcg10={fixed4(r.ndcg10)}
      data-recall100={fixed4(r.recall100)}
      data-recall1000={fixed4(r.recall1000)}
      data-queries={r.queries}
      title={title}
    >
      <td>{label}</td>
      <td>{fixed4(r.mrr10)}</td>
      <td>{fixed4(r.ndcg10)}</td>
      <td>{fixed4(r.recall100)}</td>
      <td>{fixed4(r.recall1000)}</td>
      <td>{fixed4(r.map)}</td>
      <td>{r.queries}</td>
    </tr>
  );
}

/** Evaluation on the active dataset's dev queries: the student beside BM25, the teacher and every imported run. */
export function EvalPanel() {
  const dataset = useStore(datasetStore, activeDataset);
  const s = useStore(evaluationStore);
  const crossEncoders = useStore(modelsStore, useShallow((m) => m.models.filter((x) => x.kind === 'cross-encoder')));
  const training = useStore(trainingStore, (t) => t.state);
  const running = s.state === 'running';
  const trainingBusy = training === 'running' || training === 'loading';
  const report = s.report;
  const student = report?.rows.find((r) => r.system === 'student');
  const bm25 = report?.rows.find((r) => r.system === 'bm25');
  const canRun = !!dataset && dataset.counts.qrels > 0 && !running && !trainingBusy;
  return (
    <section className="panel step" id="step-evaluate" aria-labelledby="eval-title">
      <h2 id="eval-title">
        <span className="step-number">4</span> Evaluate
      </h2>
      <div className="grid-form">
        <label className="field">
          Relevant from grade
          <select value={s.threshold} data-testid="eval-threshold" disabled={running} onChange={(e) => evaluationStore.setState({ threshold: Number(e.target.value) })}>
            <option value={1}>1 (MS MARCO dev)</option>
            <option value={2}>2 (TREC DL passage)</option>
          </select>
        </label>
        <label className="field">
          Candidates re-ranked per query
          <input type="number" min={1} max={1000} value={s.depth} data-testid="eval-depth" disabled={running} onChange={(e) => evaluationStore.setState({ depth: Math.max(1, Math.min(1000, Math.round(Number(e.target.value) || 1))) })} />
        </label>
      </div>
      <label className="field inline">
        Teacher's row
        <select value={s.teacherModel} data-testid="eval-teacher" disabled={running} onChange={(e) => evaluationStore.setState({ teacherModel: e.target.value })}>
          <option value="">the scores stored with the triples</option>
          {crossEncoders.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}, re-ranking the same candidates
            </option>
          ))}
        </select>
      </label>
      <label className="field inline">
        <input type="checkbox" checked={s.dense} data-testid="eval-dense" disabled={running} onChange={(e) => evaluationStore.setState({ dense: e.target.checked })} />
        Dense retrieval too: encode the whole collection with the student and search it exactly
      </label>
      <div className="row">
        <button data-testid="eval-run" disabled={!canRun} onClick={() => dataset && void runEvaluation(dataset.id)}>
          Evaluate
        </button>
        <span className="badge" data-testid="eval-state" data-state={s.state}>
          {s.state}
        </span>
      </div>
      {dataset && dataset.counts.qrels === 0 && <p className="hint">This dataset has no qrels: import a qrels file to evaluate on it.</p>}
      {trainingBusy && <p className="hint">Pause or stop training to evaluate the student.</p>}
      {running && s.progress && <ProgressBar label={PHASES[s.progress.phase]} done={s.progress.done} total={s.progress.total} rate={s.progress.rate} unit={UNITS[s.progress.phase]} testId="eval-progress" />}
      {s.state === 'error' && (
        <p className="error" role="alert" data-testid="eval-error">
          {s.error}
        </p>
      )}
      {report && (
        <>
          <dl className="stats">
            <dt>MRR@10 (student)</dt>
            <dd data-testid="metric-mrr10">{student ? fixed4(student.mrr10) : ''}</dd>
            <dt>nDCG@10 (student)</dt>
            <dd data-testid="metric-ndcg10">{student ? fixed4(student.ndcg10) : ''}</dd>
            <dt>Recall@100 (student)</dt>
            <dd data-testid="metric-recall100">{student ? fixed4(student.recall100) : ''}</dd>
            <dt>nDCG@10 (BM25)</dt>
            <dd data-testid="metric-bm25-ndcg10">{bm25 ? fixed4(bm25.ndcg10) : ''}</dd>
          </dl>
          {report.studentNote && <p className="hint">No student row: {report.studentNote}.</p>}
          <p
            className="hint"
            data-testid="eval-timing"
            data-student-pairs={report.studentPairs}
            data-student-seconds={report.studentSeconds}
            data-bm25-seconds-per-query={report.bm25SecondsPerQuery}
            data-bm25-index-seconds={report.bm25IndexSeconds ?? 0}
          >
            {report.devQueries} dev queries; relevant from grade {report.threshold}; candidates from {report.candidates}
            {report.studentPairs > 0 && `; student scored ${report.studentPairs} pairs in ${report.studentSeconds.toFixed(1)} s (${Math.round(report.studentPairs / Math.max(report.studentSeconds, 1e-6))}/s)`}; BM25 {(report.bm25SecondsPerQuery * 1000).toFixed(1)} ms per query.
          </p>
          <table className="data-table wide eval-table">
            <thead>
              <tr>
                <th>system</th>
                <th>MRR@10</th>
                <th>nDCG@10</th>
                <th>R@100</th>
                <th>R@1000</th>
                <th>MAP</th>
                <th>queries</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <EvalRow key={r.system} system={r.system} label={r.system === 'student' && report.studentLabel ? `student: ${report.studentLabel}` : r.system} row={r} title={r.note} />
              ))}
              {s.earlier.map(({ label, row }) => (
                <EvalRow key={`earlier:${label}`} system={`earlier:${label}`} label={`earlier: ${label}`} row={row} title="an earlier student, evaluated on this dataset with the same settings" className="earlier" />
              ))}
            </tbody>
          </table>
          {report.dense && (
            <div className="dense" data-testid="dense-row" data-mrr10={fixed4(report.dense.mrr10)} data-recall1000={fixed4(report.dense.recall1000)} data-queries={report.dense.queries} data-encoded={report.dense.encoded} data-reused={report.dense.reused}>
              <h3>Dense retrieval (student, whole collection)</h3>
              <p className="hint">
                MRR@10 {fixed4(report.dense.mrr10)} · nDCG@10 {fixed4(report.dense.ndcg10)} · R@100 {fixed4(report.dense.recall100)} · R@1000 {fixed4(report.dense.recall1000)} over {report.dense.queries} queries.
                {report.dense.encoded > 0
                  ? `Encoded ${report.dense.encoded} passages in ${report.dense.encodeSeconds.toFixed(1)} s (${Math.round(report.dense.encoded / Math.max(report.dense.encodeSeconds, 1e-6))} passages/s)${report.dense.reused > 0 ? `, resuming after the ${report.dense.reused} an earlier evaluation had encoded` : ''}`
                  : `The ${report.dense.passages} passage vectors of this student were already encoded`}
                ; exact search {report.dense.searchSeconds.toFixed(2)} s.
              </p>
            </div>
          )}
          {report.denseNote && (
            <p className="hint" data-testid="dense-note">
              {report.denseNote}
            </p>
          )}
          <PerQuery report={report} />
        </>
      )}
    </section>
  );
}
