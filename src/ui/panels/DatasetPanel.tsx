import { useEffect, useMemo, useState } from 'react';
import { ProvenanceSummary } from './TeacherPanel';
import { useStore } from 'zustand';
import { activeDataset, datasetStore } from '../../state/datasets';
import { fileProblems, loadDatasetSamples, type DatasetSamples } from '../../state/dataset-view';
import type { DatasetInfo } from '../../data/store/schema';
import type { FileReportData } from '../../data/formats/report';
import { HistogramPanel } from '../charts/HistogramPanel';
import { fmt } from '../format';

function clip(text: string, n = 160): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

function FileReports({ info }: { info: DatasetInfo }) {
  if (!info.files?.length) return null;
  return (
    <div className="file-reports">
      <h3>Files</h3>
      <table className="data-table wide">
        <thead>
          <tr>
            <th>file</th>
            <th>layout</th>
            <th>lines</th>
            <th>rows stored</th>
            <th>rejected</th>
            <th>unknown ids</th>
            <th>seconds</th>
          </tr>
        </thead>
        <tbody>
          {info.files.map((f, i) => (
            <tr key={i} data-testid="file-report" data-file={f.name} data-layout={f.layout} data-lines={f.lines} data-rejected={f.rejected} data-missing={f.missing} data-seconds={f.seconds}>
              <td>
                {f.name}
                {f.gzip ? ' (gzip)' : ''}
              </td>
              <td>{f.layout}</td>
              <td>{f.lines}</td>
              <td>{f.rows}</td>
              <td>{f.rejected}</td>
              <td>{f.missing}</td>
              <td>{fmt(f.seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {info.files.map((f, i) => (
        <FileProblems key={i} file={f} />
      ))}
    </div>
  );
}

/** A file's rejected lines and dangling references, with the first few of each. */
function FileProblems({ file: f }: { file: FileReportData }) {
  const problems = fileProblems(f);
  return (
    <div>
      {f.rejected > 0 && (
        <div className="warning">
          {f.name}: {f.rejected} line{f.rejected === 1 ? '' : 's'} rejected ({Object.entries(f.rejectedByReason).map(([r, n]) => `${r} ${n}`).join(', ')}).
          <ul>
            {problems.rejected.map((p) => (
              <li key={p.line}>{p.text}</li>
            ))}
          </ul>
        </div>
      )}
      {f.missing > 0 && (
        <div className="warning">
          {f.name}: {f.missing} row{f.missing === 1 ? '' : 's'} name a query or passage this dataset does not hold. They are kept; training skips them until the texts are there.
          <ul>
            {problems.missing.map((p) => (
              <li key={p.line}>{p.text}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function TeacherHistograms({ info }: { info: DatasetInfo }) {
  const t = info.teacher;
  const margins = useMemo(() => (t ? Float32Array.from(t.samplePos, (p, i) => p - (t.sampleNeg[i] as number)) : null), [t]);
  if (!t || !margins) return <p className="placeholder">No teacher scores in this dataset.</p>;
  const sampled = t.samplePos.length < t.pos.count;
  return (
    <>
      <h3>Teacher scores</h3>
      <p className="hint">
        Over all {t.pos.count} triples{sampled ? `; histograms drawn from a uniform sample of ${t.samplePos.length}` : ''}.
      </p>
      <div className="three-up">
        <HistogramPanel title="Positive scores" values={t.samplePos} summary={t.pos} color="#3ecf8e" testId="teacher-histogram-pos" height={150} />
        <HistogramPanel title="Negative scores" values={t.sampleNeg} summary={t.neg} color="#f25f5c" testId="teacher-histogram-neg" height={150} />
        <HistogramPanel title="Margins (pos − neg)" values={margins} summary={t.margin} color="#f5a524" testId="teacher-histogram-margin" height={150} />
      </div>
    </>
  );
}

/** Everything about the active dataset: what went in, what the teacher's scores look like, a few rows. */
export function DatasetPanel() {
  const info = useStore(datasetStore, activeDataset);
  const parent = useStore(datasetStore, (s) => s.datasets.find((d) => d.id === info?.derivedFrom));
  const [samples, setSamples] = useState<DatasetSamples | null>(null);
  const id = info?.id;
  // Files added to a dataset keep its id; its update time says the first rows may have changed.
  const version = info?.updatedAt;
  useEffect(() => {
    let live = true;
    setSamples(null);
    if (id) void loadDatasetSamples(id).then((s) => live && setSamples(s), () => live && setSamples(null));
    return () => {
      live = false;
    };
  }, [id, version]);
  if (!info) return null;
  return (
    <section className="panel wide-panel" aria-labelledby="dataset-title" data-testid="dataset-view" data-dataset={info.id}>
      <h2 id="dataset-title">Dataset: {info.name}</h2>
      <p className="hint">
        {info.counts.passages} passages · {info.counts.queries} queries · {info.counts.triples} triples · {info.counts.qrels} qrels · {info.counts.candidates} candidates · {fmt(info.bytes / 1e6)} MB stored
      </p>
      <FileReports info={info} />
      {info.provenance && (
        <>
          <h3>Teacher triples made in the studio{parent ? ` from “${parent.name}”` : ''}</h3>
          <ProvenanceSummary p={info.provenance} testId="dataset-provenance" />
        </>
      )}
      <TeacherHistograms info={info} />
      {samples && (
        <details className="fold samples">
          <summary>Sample rows</summary>
          <div data-testid="sample-rows">
            <table className="data-table wide">
              <tbody>
                {samples.queries.map((q) => (
                  <tr key={`q${q.id}`}>
                    <th>query {q.id}</th>
                    <td>{clip(q.text)}</td>
                  </tr>
                ))}
                {samples.passages.map((p) => (
                  <tr key={`p${p.id}`}>
                    <th>passage {p.id}</th>
                    <td>{clip(p.text)}</td>
                  </tr>
                ))}
                {samples.triples.map((t, i) => (
                  <tr key={`t${i}`}>
                    <th>triple</th>
                    <td>
                      query {t.qid}: passage {t.pos} scores {fmt(t.posScore, 5)}, passage {t.neg} scores {fmt(t.negScore, 5)} (margin {fmt(t.posScore - t.negScore, 4)})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </section>
  );
}
