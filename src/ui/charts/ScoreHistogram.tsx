import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { histogram, meanStd } from './histogram';
import { fmt } from '../format';

const BINS = 24;

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function Panel({ title, values, color, testId }: { title: string; values: Float32Array; color: string; testId: string }) {
  const bins = useMemo(() => histogram([values], BINS).map((b) => ({ x: b.mid, count: b.counts[0] })), [values]);
  const { mean, std } = meanStd(values);
  return (
    <div className="score-panel" data-testid={testId} data-mean={mean} data-std={std}>
      <div className="panel-title">
        {title} <span className="caption-stats">μ {fmt(mean)} σ {fmt(std)}</span>
      </div>
      <ResponsiveContainer width="100%" height={180}>
        <BarChart data={bins} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
          <XAxis dataKey="x" stroke="#9aa4b2" tickFormatter={(v: number) => v.toFixed(1)} />
          <YAxis stroke="#9aa4b2" width={36} allowDecimals={false} />
          <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} labelFormatter={(v) => `score ≈ ${Number(v).toFixed(2)}`} />
          <Bar dataKey="count" fill={color} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Raw scores of teacher and student side by side, each on its own axis: their magnitudes differ, by design. */
export function ScoreHistogram() {
  const teacher = useStore(trainingStore, (s) => s.teacherProbe);
  const student = useStore(trainingStore, (s) => s.lastProbe);
  const t = useMemo(() => (teacher ? concat(teacher.pos, teacher.neg) : null), [teacher]);
  const s = useMemo(() => (student ? concat(student.pos, student.neg) : null), [student]);
  return (
    <figure className="chart" data-testid="score-histogram" data-rendered={t && s ? 'true' : 'false'}>
      <figcaption>Raw scores on the probe set (positives and negatives)</figcaption>
      {t && s ? (
        <div className="side-by-side">
          <Panel title="Teacher" values={t} color="#f5a524" testId="score-histogram-teacher" />
          <Panel title={`Student, step ${student?.step ?? 0}`} values={s} color="#4ea1ff" testId="score-histogram-student" />
        </div>
      ) : (
        <p className="placeholder">Scores appear when training starts.</p>
      )}
    </figure>
  );
}
