import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';

/** Dev-set MRR@10 and nDCG@10 taken during training, by step, beside the loss. */
export function DevEvalChart() {
  const points = useStore(trainingStore, (s) => s.devEvals);
  const note = useStore(trainingStore, (s) => s.devEvalNote);
  const every = useStore(trainingStore, (s) => s.config.evalEvery);
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
      {points.length > 0 && (
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
            <XAxis dataKey="step" stroke="#9aa4b2" />
            <YAxis domain={[0, 1]} stroke="#9aa4b2" width={36} />
            <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} />
            <Legend />
            <Line dataKey="mrr10" name="MRR@10" stroke="#4ea1ff" dot isAnimationActive={false} />
            <Line dataKey="ndcg10" name="nDCG@10" stroke="#3ecf8e" dot isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
