import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, Legend } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { margins } from './histogram';
import { fmt } from '../format';

/**
 * Teacher margin against student margin for each probe triple, and how their agreement (Pearson's r, Kendall's
 * tau) moves over the run: the scatter tightens onto a line as Margin-MSE does its work.
 */
export function MarginScatter() {
  const teacher = useStore(trainingStore, (s) => s.teacherProbe);
  const student = useStore(trainingStore, (s) => s.lastProbe);
  const agreement = useStore(trainingStore, (s) => s.agreement);
  const points = useMemo(() => {
    if (!teacher || !student) return null;
    const t = margins(teacher.pos, teacher.neg);
    const s = margins(student.pos, student.neg);
    return Array.from(t, (x, i) => ({ teacher: x, student: s[i] as number }));
  }, [teacher, student]);
  const last = agreement.at(-1);
  return (
    <figure className="chart" data-testid="margin-scatter" data-rendered={points ? 'true' : 'false'} data-pearson={last?.pearson ?? ''} data-kendall={last?.kendall ?? ''} data-probes={agreement.length} data-margin-mse={last?.marginMse ?? ''} data-first-margin-mse={agreement[0]?.marginMse ?? ''}>
      <figcaption>
        Teacher margin vs student margin on the probe set{student ? `, step ${student.step}` : ''}
        {last && (
          <span className="caption-stats">
            Pearson r {fmt(last.pearson)} · Kendall τ {fmt(last.kendall)} · probe Margin-MSE {fmt(last.marginMse)}
          </span>
        )}
      </figcaption>
      {points ? (
        <div className="side-by-side">
          <ResponsiveContainer width="100%" height={200}>
            <ScatterChart margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
              <XAxis type="number" dataKey="teacher" name="teacher margin" stroke="#9aa4b2" tickFormatter={(v: number) => fmt(v, 2)} />
              <YAxis type="number" dataKey="student" name="student margin" stroke="#9aa4b2" width={44} tickFormatter={(v: number) => fmt(v, 2)} />
              <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} />
              <Scatter data={points} fill="#4ea1ff" fillOpacity={0.6} isAnimationActive={false} />
            </ScatterChart>
          </ResponsiveContainer>
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={agreement} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
              <XAxis dataKey="step" stroke="#9aa4b2" />
              <YAxis domain={[-1, 1]} stroke="#9aa4b2" width={36} />
              <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} />
              <Legend />
              <Line dataKey="pearson" name="Pearson r" stroke="#f5a524" dot isAnimationActive={false} />
              <Line dataKey="kendall" name="Kendall τ" stroke="#3ecf8e" dot isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      ) : (
        <p className="placeholder">The scatter appears when training starts.</p>
      )}
    </figure>
  );
}
