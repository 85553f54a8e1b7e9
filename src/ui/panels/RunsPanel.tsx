import { useMemo, useRef, useState } from 'react';
import { SaveChart } from '../charts/SaveChart';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Bar, BarChart } from 'recharts';
import { useStore } from 'zustand';
import { removeRun, runLabel, runsStore, toggleCompared, type FinishedRun } from '../../state/runs';
import { histogram, margins, meanStd, smooth } from '../charts/histogram';
import { fmt } from '../format';
import { fixed4 } from '../../eval/metrics';
import { configHashOf } from '../../state/config-draft';

const COLORS = ['#4ea1ff', '#f5a524', '#3ecf8e', '#ff6b8b', '#b48cff', '#ffd166', '#5ee1e6', '#ff9f43', '#a3e635', '#f472b6'];
const MAX_POINTS = 400;
const BINS = 30;

function colorOf(i: number): string {
  return COLORS[i % COLORS.length] as string;
}

function meanOfLast(losses: readonly number[], n: number): number {
  const tail = losses.slice(-n);
  return tail.reduce((a, b) => a + b, 0) / Math.max(tail.length, 1);
}

function meanOfFirst(losses: readonly number[], n: number): number {
  return meanOfLast(losses.slice(0, n), n);
}

/** Smoothed loss curves of several runs on one step axis, thinned for drawing. */
function lossSeries(runs: readonly FinishedRun[]): Record<string, number>[] {
  const longest = Math.max(0, ...runs.map((r) => r.losses.length));
  const stride = Math.max(1, Math.ceil(longest / MAX_POINTS));
  const smoothed = runs.map((r) => smooth(r.losses, 0.9));
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < longest; i += stride) {
    const row: Record<string, number> = { step: i + 1 };
    runs.forEach((r, k) => {
      const v = smoothed[k]?.[i];
      if (v !== undefined) row[r.id] = v;
    });
    rows.push(row);
  }
  return rows;
}

/** Finished runs, with their curves and margin histograms overlaid for the runs chosen. */
export function RunsPanel() {
  const runs = useStore(runsStore, (s) => s.runs);
  const compared = useStore(runsStore, (s) => s.compared);
  const [logScale, setLogScale] = useState(true);
  const lossRef = useRef<HTMLElement>(null);
  const marginRef = useRef<HTMLElement>(null);
  const chosen = useMemo(() => compared.map((id) => runs.find((r) => r.id === id)).filter((r): r is FinishedRun => !!r), [runs, compared]);
  const lossRows = useMemo(() => lossSeries(chosen), [chosen]);
  const metricRef = useRef<HTMLElement>(null);
  const metricRows = useMemo(() => {
    const runs = chosen.filter((r) => (r.devEvals?.length ?? 0) > 0);
    if (runs.length === 0) return null;
    const steps = [...new Set(runs.flatMap((r) => r.devEvals!.map((d) => d.step)))].sort((a, b) => a - b);
    const rows = steps.map((step) => {
      const row: Record<string, number> = { step };
      for (const r of runs) {
        const d = r.devEvals!.find((e) => e.step === step);
        if (d) row[r.id] = d.mrr10;
      }
      return row;
    });
    return { runs, rows };
  }, [chosen]);
  const canLog = chosen.every((r) => r.losses.every((l) => l > 0));
  const marginView = useMemo(() => {
    const withProbe = chosen.filter((r) => r.student && r.teacher);
    if (withProbe.length === 0) return null;
    const teacher = margins((withProbe[0] as FinishedRun).teacher!.pos, (withProbe[0] as FinishedRun).teacher!.neg);
    const series = withProbe.map((r) => margins(r.student!.pos, r.student!.neg));
    const bins = histogram([teacher, ...series], BINS).map((b) => {
      const row: Record<string, number> = { x: b.mid, teacher: b.counts[0] ?? 0 };
      withProbe.forEach((r, k) => (row[r.id] = b.counts[k + 1] ?? 0));
      return row;
    });
    return { bins, runs: withProbe, stats: series.map(meanStd), teacher: meanStd(teacher) };
  }, [chosen]);

  return (
    <section className="panel" aria-labelledby="runs-title" data-testid="run-history">
      <h2 id="runs-title">Finished runs</h2>
      {runs.length === 0 ? (
        <p className="placeholder">Runs that finish (or are stopped) are kept here to compare: tick two or more to overlay them.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>compare</th>
              <th>student · loss</th>
              <th>steps</th>
              <th>loss (mean of last 10)</th>
              <th>parameters</th>
              <th>triples/s</th>
              <th>dev MRR@10 (last)</th>
              <th>seed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr
                key={r.id}
                data-testid="run-row"
                data-run-id={r.id}
                data-arch={r.config.arch}
                data-loss={r.config.loss}
                data-steps={r.losses.length}
                data-final-loss={meanOfLast(r.losses, 10)}
                data-first-loss={meanOfFirst(r.losses, 10)}
                data-triples-per-second={r.triplesPerSecond}
                data-params={r.parameterCount}
                data-grid={r.grid ?? ''}
                data-source={r.source ?? 'browser'}
              >
                <td>
                  <input type="checkbox" data-testid="run-compare" aria-label={`compare ${runLabel(r)}`} checked={compared.includes(r.id)} onChange={(e) => toggleCompared(r.id, e.target.checked)} />
                </td>
                <td>
                  {runLabel(r)}
                  {r.endedAs === 'stopped' ? ' (stopped)' : ''}
                </td>
                <td>{r.losses.length}</td>
                <td>{fmt(meanOfLast(r.losses, 10), 4)}</td>
                <td>{r.parameterCount.toLocaleString('en')}</td>
                <td>{r.triplesPerSecond.toFixed(1)}</td>
                <td data-testid="run-mrr10">{r.devEvals?.length ? fixed4(r.devEvals[r.devEvals.length - 1]?.mrr10 ?? NaN) : '–'}</td>
                <td>{r.config.seed}</td>
                <td>
                  <a data-testid="run-share" href={`${location.pathname}${configHashOf(r.config)}`} target="_blank" rel="noreferrer" title="open this run's config in a new tab">
                    config link
                  </a>{' '}
                  <button className="secondary small" onClick={() => removeRun(r.id)} aria-label={`forget ${runLabel(r)}`}>
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen.length > 0 && (
        <>
          <figure ref={lossRef} className="chart" data-testid="compare-loss-chart" data-runs={chosen.length}>
            <figcaption>
              Loss per step (EMA 0.9){' '}
              <label className="inline">
                <input type="checkbox" checked={logScale && canLog} disabled={!canLog} onChange={(e) => setLogScale(e.target.checked)} /> log scale
              </label>
            <SaveChart figure={lossRef} name="runs-loss" />
            </figcaption>
            <ResponsiveContainer width="100%" height={240}>
              <LineChart data={lossRows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
                <XAxis dataKey="step" type="number" domain={[1, 'dataMax']} stroke="#9aa4b2" />
                <YAxis stroke="#9aa4b2" width={56} scale={logScale && canLog ? 'log' : 'auto'} domain={logScale && canLog ? ['dataMin', 'dataMax'] : ['auto', 'auto']} allowDataOverflow tickFormatter={(v: number) => v.toPrecision(2)} />
                <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} formatter={(v) => Number(v).toPrecision(4)} />
                <Legend />
                {chosen.map((r, k) => (
                  <Line key={r.id} dataKey={r.id} name={runLabel(r)} stroke={colorOf(k)} dot={false} strokeWidth={2} isAnimationActive={false} connectNulls />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </figure>
          {metricRows && (
            <figure ref={metricRef} className="chart" data-testid="compare-metric-chart" data-runs={metricRows.runs.length}>
              <figcaption>
                Dev MRR@10 by step (runs with dev evaluation)
                <SaveChart figure={metricRef} name="runs-mrr10" />
              </figcaption>
              <ResponsiveContainer width="100%" height={220}>
                <LineChart data={metricRows.rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
                  <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} stroke="#9aa4b2" />
                  <YAxis stroke="#9aa4b2" width={56} domain={[0, 'auto']} tickFormatter={(v: number) => v.toFixed(2)} />
                  <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} formatter={(v) => Number(v).toFixed(4)} />
                  <Legend />
                  {metricRows.runs.map((r, k) => (
                    <Line key={r.id} dataKey={r.id} name={runLabel(r)} stroke={colorOf(chosen.indexOf(r) >= 0 ? chosen.indexOf(r) : k)} dot isAnimationActive={false} connectNulls />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </figure>
          )}
          {marginView && (
            <figure ref={marginRef} className="chart" data-testid="compare-margin-histogram" data-runs={marginView.runs.length}>
              <figcaption>
                Probe-set margins at each run&apos;s last probe, with the teacher&apos;s
                <span className="caption-stats">
                  teacher μ {fmt(marginView.teacher.mean)} σ {fmt(marginView.teacher.std)}
                  {marginView.runs.map((r, k) => ` · ${runLabel(r)} μ ${fmt(marginView.stats[k]?.mean ?? NaN)} σ ${fmt(marginView.stats[k]?.std ?? NaN)}`).join('')}
                </span>
              <SaveChart figure={marginRef} name="runs-margins" />
            </figcaption>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={marginView.bins} barGap={-10} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
                  <XAxis dataKey="x" stroke="#9aa4b2" tickFormatter={(v: number) => fmt(v)} />
                  <YAxis stroke="#9aa4b2" width={40} allowDecimals={false} />
                  <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} labelFormatter={(v) => `margin ≈ ${fmt(Number(v), 3)}`} />
                  <Legend />
                  <Bar dataKey="teacher" name="teacher" fill="#9aa4b2" fillOpacity={0.45} isAnimationActive={false} />
                  {marginView.runs.map((r, k) => (
                    <Bar key={r.id} dataKey={r.id} name={runLabel(r)} fill={colorOf(k)} fillOpacity={0.5} isAnimationActive={false} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </figure>
          )}
        </>
      )}
    </section>
  );
}
