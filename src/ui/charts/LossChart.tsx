import { memo, useMemo, useRef, useState } from 'react';
import { SaveChart } from './SaveChart';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { smooth } from './histogram';
import { minMaxIndices } from './decimate';
import { useRedrawn } from './redraw';
import { LOSS_LABELS } from '../../config/loss-names';
import { FRAME, GRID_DASH, NUMBER_TICKS, SERIES, TOOLTIP_STYLE } from './theme';

/** Buckets of the drawn loss curve: at most about twice this many points, however long the run. */
const BUCKETS = 300;

/**
 * The loss of every step and its smoothed curve. A long run's curve is thinned to each bucket's lowest and highest
 * loss (decimate.ts: its spikes stay) and redrawn at most a few times a second (redraw.ts); the caption's count and
 * the table hold every step.
 */
export const LossChart = memo(function LossChart() {
  const figureRef = useRef<HTMLElement>(null);
  const losses = useStore(trainingStore, (s) => s.losses);
  const run = useStore(trainingStore, (s) => `${s.config.arch} · ${LOSS_LABELS[s.config.loss]}`);
  const drawn = useRedrawn(losses, losses.length === 0);
  const [showTable, setShowTable] = useState(false);

  return (
    <figure ref={figureRef} className="chart" data-testid="loss-chart" data-points={losses.length}>
      <figcaption>
        Training loss per step ({run})<SaveChart figure={figureRef} name="loss" />
      </figcaption>
      {losses.length === 0 ? (
        <p className="placeholder">The loss appears here once training starts.</p>
      ) : drawn.length === 0 ? (
        // The first losses wait for their turn (redraw.ts): an empty chart drawn now would be drawn again then.
        <div style={{ height: 240 }} />
      ) : (
        <LossLines losses={drawn} />
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
});

const LossLines = memo(function LossLines({ losses }: { losses: number[] }) {
  const data = useMemo(() => {
    // The smoothed curve averages every step; only the drawing is thinned.
    const smoothed = smooth(losses, 0.9);
    return minMaxIndices(losses, BUCKETS).map((i) => ({ step: i + 1, loss: losses[i] as number, smoothed: smoothed[i] as number }));
  }, [losses]);
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray={GRID_DASH} stroke={FRAME.grid} />
        <XAxis dataKey="step" type="number" domain={[1, 'dataMax']} {...NUMBER_TICKS} stroke={FRAME.axis} />
        <YAxis {...NUMBER_TICKS} stroke={FRAME.axis} width={56} tickFormatter={(v: number) => v.toPrecision(2)} />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(v) => Number(v).toPrecision(4)} />
        <Legend />
        <Line type="linear" dataKey="loss" name="raw" stroke={SERIES.lossRaw} dot={false} strokeWidth={1} isAnimationActive={false} />
        <Line type="monotone" dataKey="smoothed" name="smoothed (EMA 0.9)" stroke={SERIES.lossSmoothed} dot={false} strokeWidth={2} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
});
