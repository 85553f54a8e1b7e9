/**
 * What a handed-off run brings back besides its model: the loss curve from `trainer_state.json` (written by the
 * transformers Trainer) and the studio's own run from `margin_studio.json` (written by train.py). Pure parsing with
 * a clear message for anything malformed; the model itself is read by model/pretrained like any folder.
 */
import { resolveRunConfig, type RunConfig } from '../config/run-config';
import { errorMessage } from '../util/errors';

export interface HandoffHistory {
  /** The run config the handoff carried, with `steps` set to the steps PyTorch made. */
  config: RunConfig;
  /** Logged losses: each the mean over the steps since the previous one. */
  points: { step: number; loss: number }[];
  steps: number;
  /** Triples per second over the whole run (pairs are halved for a pointwise MSE run). */
  triplesPerSecond: number;
  seconds: number;
  device: string;
  /** The handoff started from the run's checkpoint, or from the student as trained in the browser. */
  source: 'start' | 'current';
  stepsInBrowser: number;
  dataset: string;
}

export const TRAINER_STATE = 'trainer_state.json';
export const RESULT_FILE = 'margin_studio.json';

function record(value: unknown, file: string, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The training losses of `trainer_state.json`'s log_history, in step order. */
export function trainerLosses(state: unknown): { points: { step: number; loss: number }[]; steps: number; samplesPerSecond: number; seconds: number } {
  const s = record(state, TRAINER_STATE, 'the file');
  const history = s.log_history;
  if (!Array.isArray(history)) throw new Error(`${TRAINER_STATE}: log_history is missing or not a list`);
  const points: { step: number; loss: number }[] = [];
  let samplesPerSecond = 0;
  let seconds = 0;
  history.forEach((entry, i) => {
    const e = record(entry, TRAINER_STATE, `log_history[${i}]`);
    if (finite(e.train_samples_per_second)) samplesPerSecond = e.train_samples_per_second;
    if (finite(e.train_runtime)) seconds = e.train_runtime;
    if (e.loss === undefined) return;
    if (!finite(e.loss) || !finite(e.step) || !Number.isInteger(e.step) || e.step < 1) throw new Error(`${TRAINER_STATE}: log_history[${i}] needs a finite loss and a positive whole step`);
    points.push({ step: e.step, loss: e.loss });
  });
  points.sort((a, b) => a.step - b.step);
  const steps = finite(s.global_step) ? s.global_step : (points[points.length - 1]?.step ?? 0);
  if (points.length === 0) throw new Error(`${TRAINER_STATE}: log_history has no training loss (was logging_steps larger than the run?)`);
  return { points, steps, samplesPerSecond, seconds };
}

/** Losses per step, index = step - 1: each logged mean stands for every step it averaged. */
export function lossPerStep(points: readonly { step: number; loss: number }[], steps: number): number[] {
  const out: number[] = [];
  let from = 0;
  for (const p of points) {
    for (let s = from; s < Math.min(p.step, steps); s++) out.push(p.loss);
    from = Math.max(from, p.step);
  }
  return out;
}

/** Both files read together; null when the folder is a plain model folder (no trainer_state.json). */
export function readHandoffHistory(trainerState: unknown, result: unknown): HandoffHistory | null {
  if (trainerState === undefined) return null;
  const losses = trainerLosses(trainerState);
  if (result === undefined) throw new Error(`${RESULT_FILE}: missing beside ${TRAINER_STATE}; the studio takes back runs that its handoff's train.py wrote`);
  const r = record(result, RESULT_FILE, 'the file');
  if (r.format !== 'margin-studio-handoff-result') throw new Error(`${RESULT_FILE}: format is ${JSON.stringify(r.format)}, expected "margin-studio-handoff-result"`);
  const run = record(r.run, RESULT_FILE, 'run');
  const train = record(run.train, RESULT_FILE, 'run.train');
  const model = record(run.model, RESULT_FILE, 'run.model');
  let config: RunConfig;
  try {
    config = resolveRunConfig({ ...(record(run.studio_config, RESULT_FILE, 'run.studio_config') as Partial<RunConfig>), steps: Math.max(1, losses.steps) });
  } catch (err) {
    throw new Error(`${RESULT_FILE}: run.studio_config is not a run config the studio accepts (${errorMessage(err)})`);
  }
  const pairs = train.loss === 'mse';
  return {
    config,
    points: losses.points,
    steps: losses.steps,
    triplesPerSecond: pairs ? losses.samplesPerSecond / 2 : losses.samplesPerSecond,
    seconds: finite(r.seconds) ? r.seconds : losses.seconds,
    device: typeof r.device === 'string' ? r.device : 'unknown',
    source: model.source === 'current' ? 'current' : 'start',
    stepsInBrowser: finite(run.steps_in_browser) ? run.steps_in_browser : 0,
    dataset: typeof run.dataset === 'string' ? run.dataset : '',
  };
}

/** Paths of a chosen output folder the import needs none of: trainer checkpoints (optimizer states), logs. */
export function isTrainingLeftover(path: string): boolean {
  return /(^|\/)(checkpoint-\d+|runs|wandb)\//.test(path) || /(^|\/)(optimizer\.pt|scheduler\.pt|rng_state[^/]*\.pth|training_args\.bin)$/.test(path);
}
