import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { finiteRange, histogram, meanStd } from './histogram';
import { fmt } from '../format';

export interface Summary {
  min?: number;
  max?: number;
  mean: number;
  std: number;
  count?: number;
}

interface Props {
  title: string;
  values: ArrayLike<number>;
  color: string;
  testId: string;
  bins?: number;
  height?: number;
  /** Exact statistics when `values` is only a sample of the data; otherwise they are computed from `values`. */
  summary?: Summary;
}

/** One distribution on its own axis, with its statistics in the caption and as data attributes for tests. */
export function HistogramPanel({ title, values, color, testId, bins = 24, height = 180, summary }: Props) {
  const data = useMemo(() => histogram([values], bins).map((b) => ({ x: b.mid, count: b.counts[0] })), [values, bins]);
  const stats = useMemo<Summary>(() => {
    if (summary) return summary;
    const range = finiteRange([values]);
    return { ...meanStd(values), ...(range ? { min: range[0], max: range[1] } : {}) };
  }, [summary, values]);
  return (
    <div className="score-panel" data-testid={testId} data-mean={stats.mean} data-std={stats.std} data-min={stats.min ?? ''} data-max={stats.max ?? ''} data-count={stats.count ?? values.length}>
      <div className="panel-title">
        {title}{' '}
        <span className="caption-stats">
          {stats.min !== undefined && `min ${fmt(stats.min)} · max ${fmt(stats.max)} · `}μ {fmt(stats.mean)} σ {fmt(stats.std)}
        </span>
      </div>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
          <XAxis dataKey="x" stroke="#9aa4b2" tickFormatter={(v: number) => fmt(v)} />
          <YAxis stroke="#9aa4b2" width={44} allowDecimals={false} />
          <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} labelFormatter={(v) => `≈ ${fmt(Number(v), 4)}`} />
          <Bar dataKey="count" fill={color} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
