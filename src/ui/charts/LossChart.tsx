import { useMemo, useRef, useState } from 'react';
import { SaveChart } from './SaveChart';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { smooth } from './histogram';
import { LOSS_LABELS } from '../../config/loss-names';

const MAX_POINTS = 600;

export function LossChart() {
  const figureRef = useRef<HTMLElement>(null);
  const losses = useStore(trainingStore, (s) => s.losses);
  const run = useStore(trainingStore, (s) => `${s.config.arch} · ${LOSS_LABELS[s.config.loss]}`);
  const [showTable, setShowTable] = useState(false);
  const data = useMemo(() => {
    const smoothed = smooth(losses, 0.9);
    // Thin long histories for drawing; the smoothed line still averages every step.
    const stride = Math.max(1, Math.ceil(losses.length / MAX_POINTS));
    const points: { step: number; loss: number; smoothed: number }[] = [];
    for (let i = 0; i < losses.length; i += stride) points.push({ step: i + 1, loss: losses[i] as number, smoothed: smoothed[i] as number });
    const last = losses.length - 1;
    if (last >= 0 && (points.at(-1)?.step ?? 0) !== last + 1) points.push({ step: last + 1, loss: losses[last] as number, smoothed: smoothed[last] as number });
    return points;
  }, [losses]);

  return (
    <figure ref={figureRef} className="chart" data-testid="loss-chart" data-points={losses.length}>
      <figcaption>Training loss per step ({run})<SaveChart figure={figureRef} name="loss" />
            </figcaption>
      {losses.length === 0 ? (
        <p className="placeholder">The loss appears here once training starts.</p>
      ) : (
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
            <XAxis dataKey="step" type="number" domain={[1, 'dataMax']} stroke="#9aa4b2" />
            <YAxis stroke="#9aa4b2" width={56} tickFormatter={(v: number) => v.toPrecision(2)} />
            <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} formatter={(v) => Number(v).toPrecision(4)} />
            <Legend />
            <Line type="linear" dataKey="loss" name="raw" stroke="#5b6b85" dot={false} strokeWidth={1} isAnimationActive={false} />
            <Line type="monotone" dataKey="smoothed" name="smoothed (EMA 0.9)" stroke="#f5a524" dot={false} strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
      <details onToggle={(e) => setShowTable((e.target as HTMLDetailsElement).open)}>
        <summary data-testid="loss-table-toggle">Loss values</summary>
        {showTable && (
          <table className="data-table" data-testid="loss-table">
            <thead>
              <tr>
                <th>step</th>
                <th>loss</th>
              </tr>
            </thead>
            <tbody>
              {losses.map((l, i) => (
                <tr key={i} data-step={i + 1} data-loss={l}>
                  <td>{i + 1}</td>
                  <td>{l}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </figure>
  );
}
