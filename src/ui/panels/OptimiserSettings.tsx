import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { configDraft, configDraftStore } from '../../state/config-draft';
import { scheduleCurve } from '../../train/schedule';
import { SCHEDULES, type RunConfig } from '../../config/run-config';
import { isArch, studentOf } from '../../model/students/registry';
import { showsField } from '../../model/students/descriptor';
import { useRunActive } from '../train/hooks';

const FIELDS: { key: keyof RunConfig; label: string; testId: string; step: string }[] = [
  { key: 'warmupSteps', label: 'Warm-up steps', testId: 'config-warmup-steps', step: '1' },
  { key: 'weightDecay', label: 'Weight decay (AdamW)', testId: 'config-weight-decay', step: 'any' },
  { key: 'clipNorm', label: 'Clip gradient norm (0 = off)', testId: 'config-clip-norm', step: 'any' },
  { key: 'denseDim', label: 'Project to (dot on a model, 0 = no)', testId: 'config-dense-dim', step: '1' },
];

/** The learning-rate schedule over the run, from the draft, before training. */
function ScheduleChart() {
  const steps = useStore(configDraftStore, (s) => Number(s.draft.steps));
  const learningRate = useStore(configDraftStore, (s) => Number(s.draft.learningRate));
  const warmupSteps = useStore(configDraftStore, (s) => Number(s.draft.warmupSteps));
  const schedule = useStore(configDraftStore, (s) => (s.draft.schedule === 'linear' ? 'linear' : 'constant'));
  const valid = steps > 0 && learningRate > 0 && warmupSteps >= 0 && warmupSteps <= steps;
  const points = useMemo(() => (valid ? scheduleCurve({ steps, learningRate, warmupSteps, schedule }, 60) : []), [valid, steps, learningRate, warmupSteps, schedule]);
  if (!valid) return null;
  return (
    <figure className="chart small" data-testid="schedule-chart" data-points={points.length} data-peak={learningRate} data-warmup={warmupSteps} data-schedule={schedule}>
      <figcaption>Learning rate by step</figcaption>
      <ResponsiveContainer width="100%" height={110}>
        <LineChart data={points} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#2d3340" />
          <XAxis dataKey="step" stroke="#9aa4b2" />
          <YAxis stroke="#9aa4b2" width={56} tickFormatter={(v: number) => v.toExponential(0)} />
          <Tooltip contentStyle={{ background: '#151922', border: '1px solid #2d3340' }} formatter={(v) => Number(v).toExponential(2)} />
          <Line dataKey="lr" name="learning rate" stroke="#f5a524" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** AdamW and the schedule: what suits a pretrained start differs from training from scratch. */
export function OptimiserSettings() {
  const active = useRunActive();
  const arch = useStore(configDraftStore, (s) => s.draft.arch);
  const schedule = useStore(configDraftStore, (s) => s.draft.schedule ?? 'constant');
  const values = useStore(configDraftStore, useShallow((s) => FIELDS.map((f) => s.draft[f.key] ?? '')));
  return (
    <details className="optimiser" open>
      <summary>Optimiser and schedule</summary>
      <div className="grid-form">
        {FIELDS.filter((f) => showsField(studentOf(isArch(arch) ? arch : 'dot'), f.key)).map((f) => (
          <label className="field" key={f.key}>
            {f.label}
            <input type="number" step={f.step} data-testid={f.testId} value={values[FIELDS.indexOf(f)]} disabled={active} onChange={(e) => configDraft.setField(f.key, e.target.value)} />
          </label>
        ))}
        <label className="field">
          After warm-up
          <select data-testid="config-schedule" value={schedule} disabled={active} onChange={(e) => configDraft.setField('schedule', e.target.value)}>
            {SCHEDULES.map((s) => (
              <option key={s} value={s}>
                {s === 'linear' ? 'linear decay to 0' : 'constant'}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ScheduleChart />
    </details>
  );
}
