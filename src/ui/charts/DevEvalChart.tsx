import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore, type TrainingState } from '../../state/training';
import { useRedrawn } from './redraw';
import { FRAME, GRID_DASH, NUMBER_TICKS, SERIES, TOOLTIP_STYLE } from './theme';

/** Dev-set MRR@10 and nDCG@10 taken during training, by step, beside the loss. */
export const DevEvalChart = memo(function DevEvalChart() {
  const points = useStore(trainingStore, (s) => s.devEvals);
  const note = useStore(trainingStore, (s) => s.devEvalNote);
  const every = useStore(trainingStore, (s) => s.config.evalEvery);
  const drawn = useRedrawn(points, points.length === 0);
  if (points.length === 0 && !note) return null;
  const last = points.at(-1);
  return (
    <figure className="chart" data-testid="dev-eval-chart" data-points={points.length} data-mrr10={last?.mrr10 ?? ''}>
      <figcaption>
        Dev queries during training{every ? `, every ${every} steps` : ''}
        {last && (
          <span className="caption-stats">
            step {last.step}: MRR@10 {last.mrr10.toFixed(4)} · nDCG@10 {last.ndcg10.toFixed(4)} · {last.queries} queries
          </span>
        )}
      </figcaption>
      {note && <p className="hint">{note}</p>}
      {points.length > 0 && (drawn.length > 0 ? <DevLines points={drawn} /> : <div style={{ height: 180 }} />)}
    </figure>
  );
});

const DevLines = memo(function DevLines({ points }: { points: TrainingState['devEvals'] }) {
  return (
    <ResponsiveContainer width="100%" height={180}>
      <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray={GRID_DASH} stroke={FRAME.grid} />
        <XAxis dataKey="step" stroke={FRAME.axis} />
        <YAxis domain={[0, 1]} {...NUMBER_TICKS} stroke={FRAME.axis} width={36} />
        <Tooltip contentStyle={TOOLTIP_STYLE} />
        <Legend />
        <Line dataKey="mrr10" name="MRR@10" stroke={SERIES.mrr10} dot isAnimationActive={false} />
        <Line dataKey="ndcg10" name="nDCG@10" stroke={SERIES.ndcg10} dot isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
});
