import { useMemo, useRef } from 'react';
import { SaveChart } from './SaveChart';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { histogram, margins, meanStd } from './histogram';
import { fmt } from '../format';

const BINS = 30;

/** Teacher margins against the student's on the probe set: the thing Margin-MSE makes line up. */
export function MarginHistogram() {
  const figureRef = useRef<HTMLElement>(null);
  const teacher = useStore(trainingStore, (s) => s.teacherProbe);
  const student = useStore(trainingStore, (s) => s.lastProbe);
  const view = useMemo(() => {
    if (!teacher || !student) return null;
    const t = margins(teacher.pos, teacher.neg);
    const s = margins(student.pos, student.neg);
    const bins = histogram([t, s], BINS).map((b) => ({ x: b.mid, teacher: b.counts[0], student: b.counts[1] }));
    return { bins, t: meanStd(t), s: meanStd(s), step: student.step };
  }, [teacher, student]);

  return (
    <figure ref={figureRef} className="chart" data-testid="margin-histogram" data-rendered={view ? 'true' : 'false'} data-step={view?.step ?? ''}>
      <figcaption>
        Margins S(q,p⁺) − S(q,p⁻) on the probe set{view ? `, step ${view.step}` : ''}
        {view && (
          <span className="caption-stats">
            teacher μ {fmt(view.t.mean)} σ {fmt(view.t.std)} · student μ {fmt(view.s.mean)} σ {fmt(view.s.std)}
          </span>
        )}
      <SaveChart figure={figureRef} name="margins" />
            </figcaption>
      {view ? (
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={view.bins} barGap={-10} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
            <XAxis dataKey="x" stroke="#9aa4b2" tickFormatter={(v: number) => v.toFixed(1)} />
            <YAxis stroke="#9aa4b2" width={40} allowDecimals={false} />
            <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} labelFormatter={(v) => `margin ≈ ${Number(v).toFixed(2)}`} />
            <Legend />
            <Bar dataKey="teacher" name="teacher" fill="#f5a524" fillOpacity={0.55} isAnimationActive={false} />
            <Bar dataKey="student" name="student" fill="#4ea1ff" fillOpacity={0.55} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      ) : (
        <p className="placeholder">Margins appear when training starts.</p>
      )}
    </figure>
  );
}
