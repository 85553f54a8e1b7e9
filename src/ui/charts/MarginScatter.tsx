import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, Legend } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore, type Agreement } from '../../state/training';
import type { ProbeView } from '../../eval/probe-view';
import { fmt } from '../format';
import { useRedrawn } from './redraw';
import { FRAME, GRID_DASH, NUMBER_TICKS, SCATTER_OPACITY, SERIES, TOOLTIP_STYLE } from './theme';

/**
 * Teacher margin against student margin for probe triples (the worker's evenly spaced sample of at most a few
 * hundred), and how their agreement (Pearson's r, Kendall's tau, measured in the worker) moves over the run: the
 * scatter tightens onto a line as Margin-MSE does its work. Each of the two charts redraws in its turn (redraw.ts).
 */
export const MarginScatter = memo(function MarginScatter() {
  const view = useStore(trainingStore, (s) => s.probeView);
  const agreement = useStore(trainingStore, (s) => s.agreement);
  const scatter = useRedrawn(view?.scatter ?? null, !view);
  const history = useRedrawn(agreement, agreement.length === 0);
  const last = agreement.at(-1);
  return (
    <figure className="chart" data-testid="margin-scatter" data-rendered={scatter ? 'true' : 'false'} data-pearson={last?.pearson ?? ''} data-kendall={last?.kendall ?? ''} data-probes={agreement.length} data-margin-mse={last?.marginMse ?? ''} data-first-margin-mse={agreement[0]?.marginMse ?? ''}>
      <figcaption>
        Teacher margin vs student margin on the probe set{view ? `, step ${view.step}` : ''}
        {last && (
          <span className="caption-stats">
            Pearson r {fmt(last.pearson)} · Kendall τ {fmt(last.kendall)} · probe Margin-MSE {fmt(last.marginMse)}
          </span>
        )}
      </figcaption>
      {view ? (
        <div className="side-by-side">
          {scatter ? <ScatterPoints scatter={scatter} /> : <div style={{ height: 200 }} />}
          {history.length > 0 ? <AgreementLines agreement={history} /> : <div style={{ height: 200 }} />}
        </div>
      ) : (
        <p className="placeholder">The scatter appears when training starts.</p>
      )}
    </figure>
  );
});

/** A plain circle: recharts' default symbol builds a path per point, which costs more to draw. */
function dot(props: unknown) {
  const { cx, cy } = props as { cx?: number; cy?: number };
  return <circle cx={cx} cy={cy} r={3} fill={SERIES.student} fillOpacity={SCATTER_OPACITY} />;
}

const ScatterPoints = memo(function ScatterPoints({ scatter }: { scatter: ProbeView['scatter'] }) {
  const points = useMemo(() => scatter.teacher.map((x, i) => ({ teacher: x, student: scatter.student[i] as number })), [scatter]);
  return (
    <ResponsiveContainer width="100%" height={200}>
      <ScatterChart margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray={GRID_DASH} stroke={FRAME.grid} />
        <XAxis type="number" dataKey="teacher" name="teacher margin" {...NUMBER_TICKS} stroke={FRAME.axis} tickFormatter={(v: number) => fmt(v, 2)} />
        <YAxis type="number" dataKey="student" name="student margin" {...NUMBER_TICKS} stroke={FRAME.axis} width={44} tickFormatter={(v: number) => fmt(v, 2)} />
        <Tooltip contentStyle={TOOLTIP_STYLE} />
        <Scatter data={points} fill={SERIES.student} fillOpacity={SCATTER_OPACITY} shape={dot} isAnimationActive={false} />
      </ScatterChart>
    </ResponsiveContainer>
  );
});

const AgreementLines = memo(function AgreementLines({ agreement }: { agreement: Agreement[] }) {
  return (
    <ResponsiveContainer width="100%" height={200}>
      <LineChart data={agreement} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray={GRID_DASH} stroke={FRAME.grid} />
        <XAxis dataKey="step" stroke={FRAME.axis} />
        <YAxis domain={[-1, 1]} {...NUMBER_TICKS} stroke={FRAME.axis} width={36} />
        <Tooltip contentStyle={TOOLTIP_STYLE} />
        <Legend />
        <Line dataKey="pearson" name="Pearson r" stroke={SERIES.pearson} dot isAnimationActive={false} />
        <Line dataKey="kendall" name="Kendall τ" stroke={SERIES.kendall} dot isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
});
