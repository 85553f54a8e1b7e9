import { memo, useMemo, useRef } from 'react';
import { SaveChart } from './SaveChart';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import type { Bin } from './histogram';
import { fmt } from '../format';
import { useRedrawn } from './redraw';
import { binTicks, FRAME, GRID_DASH, NUMBER_TICKS, OVERLAP_OPACITY, SERIES, TOOLTIP_STYLE } from './theme';

/**
 * Teacher margins against the student's on the probe set: the thing Margin-MSE makes line up. The training worker
 * counts them into shared bins (eval/probe-view.ts); the bars redraw in their turn (redraw.ts).
 */
export const MarginHistogram = memo(function MarginHistogram() {
  const figureRef = useRef<HTMLElement>(null);
  const view = useStore(trainingStore, (s) => s.probeView);
  const bins = useRedrawn(view?.margins.bins ?? null, !view);
  const m = view?.margins;
  return (
    <figure ref={figureRef} className="chart" data-testid="margin-histogram" data-rendered={bins ? 'true' : 'false'} data-step={view?.step ?? ''}>
      <figcaption>
        Margins S(q,p⁺) − S(q,p⁻) on the probe set{view ? `, step ${view.step}` : ''}
        {m && (
          <span className="caption-stats">
            teacher μ {fmt(m.teacher.mean)} σ {fmt(m.teacher.std)} · student μ {fmt(m.student.mean)} σ {fmt(m.student.std)}
          </span>
        )}
        <SaveChart figure={figureRef} name="margins" />
      </figcaption>
      {bins ? <MarginBars bins={bins} /> : view ? <div style={{ height: 220 }} /> : <p className="placeholder">Margins appear when training starts.</p>}
    </figure>
  );
});

const MarginBars = memo(function MarginBars({ bins }: { bins: Bin[] }) {
  const data = useMemo(() => bins.map((b) => ({ x: b.mid, teacher: b.counts[0], student: b.counts[1] })), [bins]);
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={data} barGap={-10} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray={GRID_DASH} stroke={FRAME.grid} />
        <XAxis dataKey="x" {...binTicks(bins.length)} stroke={FRAME.axis} tickFormatter={(v: number) => v.toFixed(1)} />
        <YAxis {...NUMBER_TICKS} stroke={FRAME.axis} width={40} allowDecimals={false} />
        <Tooltip contentStyle={TOOLTIP_STYLE} labelFormatter={(v) => `margin ≈ ${Number(v).toFixed(2)}`} />
        <Legend />
        <Bar dataKey="teacher" name="teacher" fill={SERIES.teacher} fillOpacity={OVERLAP_OPACITY} isAnimationActive={false} />
        <Bar dataKey="student" name="student" fill={SERIES.student} fillOpacity={OVERLAP_OPACITY} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
});
