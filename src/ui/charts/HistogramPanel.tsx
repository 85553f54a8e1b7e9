import { memo, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { finiteRange, histogram, meanStd, type Bin } from './histogram';
import { fmt } from '../format';
import { binTicks, FRAME, GRID_DASH, NUMBER_TICKS, TOOLTIP_STYLE } from './theme';

export interface Summary {
  min?: number;
  max?: number;
  mean: number;
  std: number;
  count?: number;
}

interface Frame {
  title: string;
  color: string;
  testId: string;
  height?: number;
}

type Props = Frame &
  (
    | {
        /** Values to bin here (a small sample: the dataset's teacher scores). */
        values: ArrayLike<number>;
        bins?: number;
        /** Exact statistics when `values` is only a sample of the data; otherwise they are computed from `values`. */
        summary?: Summary;
      }
    | {
        /** Bins counted elsewhere (`counts[0]`; the training worker's, eval/probe-view.ts), or null while not drawn yet. */
        binned: Bin[] | null;
        /** The statistics of the newest data, shown at once even while its bars wait for their turn (redraw.ts). */
        summary: Summary;
      }
  );

/** One distribution on its own axis, with its statistics in the caption and as data attributes for tests. */
export const HistogramPanel = memo(function HistogramPanel(props: Props) {
  const { title, color, testId, height = 180 } = props;
  const values = 'values' in props ? props.values : null;
  const binCount = 'values' in props ? (props.bins ?? 24) : 0;
  const counted = useMemo(() => (values ? histogram([values], binCount) : null), [values, binCount]);
  const bins = 'binned' in props ? props.binned : counted;
  const stats = useMemo<Summary>(() => {
    if (props.summary) return props.summary;
    const v = values ?? [];
    const range = finiteRange([v]);
    return { ...meanStd(v), ...(range ? { min: range[0], max: range[1] } : {}), count: v.length };
  }, [props.summary, values]);
  return (
    <div className="score-panel" data-testid={testId} data-mean={stats.mean} data-std={stats.std} data-min={stats.min ?? ''} data-max={stats.max ?? ''} data-count={stats.count ?? values?.length ?? ''}>
      <div className="panel-title">
        {title}{' '}
        <span className="caption-stats">
          {stats.min !== undefined && `min ${fmt(stats.min)} · max ${fmt(stats.max)} · `}μ {fmt(stats.mean)} σ {fmt(stats.std)}
        </span>
      </div>
      {bins ? <BinsChart bins={bins} color={color} height={height} /> : <div style={{ height }} />}
    </div>
  );
});

/** The bars alone, so that a new caption does not redraw them. */
const BinsChart = memo(function BinsChart({ bins, color, height }: { bins: Bin[]; color: string; height: number }) {
  const data = useMemo(() => bins.map((b) => ({ x: b.mid, count: b.counts[0] })), [bins]);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray={GRID_DASH} stroke={FRAME.grid} />
        <XAxis dataKey="x" {...binTicks(bins.length)} stroke={FRAME.axis} tickFormatter={(v: number) => fmt(v)} />
        <YAxis {...NUMBER_TICKS} stroke={FRAME.axis} width={44} allowDecimals={false} />
        <Tooltip contentStyle={TOOLTIP_STYLE} labelFormatter={(v) => `≈ ${fmt(Number(v), 4)}`} />
        <Bar dataKey="count" fill={color} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
});
