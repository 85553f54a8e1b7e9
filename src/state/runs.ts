/**
 * Finished runs, kept for comparison (and across page loads, in localStorage), and grid runs: several
 * architectures × losses trained one after another on the same dataset with the same seed and settings.
 */
import { createStore } from 'zustand/vanilla';
import type { RunConfig } from '../config/run-config';
import type { Arch } from '../model/students/registry';
import type { LossName } from '../config/loss-names';
import { startTraining, trainingStore, type TrainingState } from './training';
import { newId } from '../util/ids';
import { lossPerStep, type HandoffHistory } from '../handoff/result';
import type { ModelInfo } from '../data/store/models';

export interface FinishedRun {
  id: string;
  datasetId: string;
  config: RunConfig;
  endedAs: 'done' | 'stopped';
  finishedAt: number;
  parameterCount: number;
  triplesPerSecond: number;
  backend: string;
  /** Loss per step, index = step - 1. */
  losses: number[];
  /** Raw probe-set scores at the last probe, teacher and student. */
  teacher: { pos: number[]; neg: number[] } | null;
  student: { step: number; pos: number[]; neg: number[] } | null;
  /** Dev-set metrics taken during the run (config.evalEvery), by step. */
  devEvals?: { step: number; mrr10: number; ndcg10: number }[];
  /** The grid this run belonged to, if any. */
  grid?: string;
  /** Where it trained: the browser (absent), or PyTorch through a handoff, brought back with its output folder. */
  source?: 'pytorch';
  /** The model folder it came back in (PyTorch runs). */
  modelName?: string;
}

export interface GridProgress {
  id: string;
  /** The combinations in running order. */
  runs: { arch: Arch; loss: LossName }[];
  /** Index of the run in progress. */
  index: number;
  state: 'running' | 'done' | 'stopped' | 'error';
  message: string;
}

export interface RunsState {
  runs: FinishedRun[];
  /** Ids of the runs overlaid in the comparison charts. */
  compared: string[];
  grid: GridProgress | null;
}

const STORAGE_KEY = 'margin-studio.runs';
/** Older runs are dropped beyond this many. */
const KEEP_RUNS = 60;

export function runLabel(r: Pick<FinishedRun, 'config' | 'source' | 'backend'>): string {
  return `${r.config.arch} · ${r.config.loss}${r.source === 'pytorch' ? ` · ${r.backend}` : ''}`;
}

/** A run a handoff's train.py made, as the history keeps runs: its losses per step from trainer_state.json. */
export function handoffRun(h: HandoffHistory, model: Pick<ModelInfo, 'name' | 'parameters'>, datasetId: string, now: number): FinishedRun {
  return {
    id: newId('pytorch', now),
    datasetId,
    config: h.config,
    endedAs: 'done',
    finishedAt: now,
    parameterCount: model.parameters,
    triplesPerSecond: h.triplesPerSecond,
    backend: `PyTorch on ${h.device}`,
    losses: lossPerStep(h.points, h.steps),
    teacher: null,
    student: null,
    source: 'pytorch',
    modelName: model.name,
  };
}

function loadRuns(): FinishedRun[] {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(parsed) ? (parsed as FinishedRun[]) : [];
  } catch {
    return [];
  }
}

function saveRuns(runs: readonly FinishedRun[]): void {
  if (typeof localStorage === 'undefined') return;
  // Storage may be full: drop the oldest runs until the rest fits, rather than losing the newest.
  for (let keep = runs.length; keep >= 0; keep = keep === 0 ? -1 : Math.floor(keep / 2)) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(runs.slice(runs.length - keep)));
      return;
    } catch {
      // try fewer
    }
  }
}

export const runsStore = createStore<RunsState>()(() => ({ runs: loadRuns(), compared: [], grid: null }));

/** A finished run as it is kept, from the training state at its end. */
export function snapshotRun(s: TrainingState, datasetId: string, endedAs: 'done' | 'stopped', now: number, grid?: string): FinishedRun {
  return {
    id: newId('run', now),
    datasetId,
    config: s.config,
    endedAs,
    finishedAt: now,
    parameterCount: s.parameterCount,
    triplesPerSecond: s.triplesPerSecond,
    backend: s.backend ?? '',
    losses: s.losses.slice(),
    teacher: s.teacherProbe ? { pos: Array.from(s.teacherProbe.pos), neg: Array.from(s.teacherProbe.neg) } : null,
    student: s.lastProbe ? { step: s.lastProbe.step, pos: Array.from(s.lastProbe.pos), neg: Array.from(s.lastProbe.neg) } : null,
    devEvals: s.devEvals.map(({ step, mrr10, ndcg10 }) => ({ step, mrr10, ndcg10 })),
    ...(grid ? { grid } : {}),
  };
}

export function addRun(run: FinishedRun): void {
  const runs = [...runsStore.getState().runs, run].slice(-KEEP_RUNS);
  runsStore.setState({ runs, compared: runsStore.getState().compared.filter((id) => runs.some((r) => r.id === id)) });
  saveRuns(runs);
}

export function removeRun(id: string): void {
  const runs = runsStore.getState().runs.filter((r) => r.id !== id);
  runsStore.setState({ runs, compared: runsStore.getState().compared.filter((c) => c !== id) });
  saveRuns(runs);
}

export function toggleCompared(id: string, on: boolean): void {
  const compared = runsStore.getState().compared.filter((c) => c !== id);
  runsStore.setState({ compared: on ? [...compared, id] : compared });
}

/** Every combination, architectures outermost, in the order they were given. */
export function gridCombinations(archs: readonly Arch[], losses: readonly LossName[]): { arch: Arch; loss: LossName }[] {
  return archs.flatMap((arch) => losses.map((loss) => ({ arch, loss })));
}

/** Resolves with how the run that is starting now ends. */
function runEnd(): Promise<TrainingState['state']> {
  return new Promise((resolve) => {
    let started = false;
    const unsubscribe = trainingStore.subscribe((s) => {
      if (s.state === 'loading' || s.state === 'running' || s.state === 'paused') started = true;
      else if (started || s.state === 'error') {
        unsubscribe();
        resolve(s.state);
      }
    });
  });
}

/**
 * Trains each combination in turn with the rest of `base` unchanged (same seed, same data). A run stopped by the
 * person ends the grid; one that fails ends it with the error.
 */
export async function runGrid(datasetId: string, base: RunConfig, archs: readonly Arch[], losses: readonly LossName[]): Promise<void> {
  const runs = gridCombinations(archs, losses);
  if (runs.length === 0) throw new Error('choose at least one architecture and one loss for the grid');
  const id = newId('grid');
  const set = (patch: Partial<GridProgress>) => {
    const grid = runsStore.getState().grid;
    if (grid?.id === id) runsStore.setState({ grid: { ...grid, ...patch } });
  };
  runsStore.setState({ grid: { id, runs, index: 0, state: 'running', message: '' } });
  for (let i = 0; i < runs.length; i++) {
    set({ index: i });
    const combo = runs[i] as { arch: Arch; loss: LossName };
    const ended = runEnd();
    await startTraining(datasetId, { ...base, arch: combo.arch, loss: combo.loss });
    const end = await ended;
    if (end === 'error') {
      set({ state: 'error', message: `${combo.arch} · ${combo.loss}: ${trainingStore.getState().message}` });
      return;
    }
    if (end === 'stopped') {
      set({ state: 'stopped', message: `stopped during ${combo.arch} · ${combo.loss}` });
      return;
    }
  }
  set({ state: 'done', index: runs.length });
}

/** Keeps every run that ends (done, or stopped after some steps) in the history. */
export function recordFinishedRuns(): () => void {
  let previous = trainingStore.getState().state;
  return trainingStore.subscribe((s) => {
    const was = previous;
    previous = s.state;
    if (s.state === was) return;
    if ((s.state === 'done' || s.state === 'stopped') && (was === 'running' || was === 'paused') && s.losses.length > 0) {
      const grid = runsStore.getState().grid;
      addRun(snapshotRun(s, s.datasetId, s.state, Date.now(), grid?.state === 'running' ? grid.id : undefined));
    }
  });
}
