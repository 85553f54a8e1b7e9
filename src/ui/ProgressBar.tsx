import { duration, fmt } from './format';

interface Props {
  label: string;
  done: number;
  total: number;
  /** Units per second. */
  rate: number;
  unit: string;
  testId?: string;
}

/** A progress bar with its rate and the time left, as every long operation gets. */
export function ProgressBar({ label, done, total, rate, unit, testId }: Props) {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const eta = rate > 0 ? (total - done) / rate : NaN;
  return (
    <div className="progress" data-testid={testId}>
      <div className="progress-label">
        <span>{label}</span>
        <span>
          {fmt(done, 4)} / {fmt(total, 4)} {unit} · {fmt(rate)} {unit}/s · {Number.isFinite(eta) ? `${duration(eta)} left` : 'estimating…'}
        </span>
      </div>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-label={label}>
        <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
