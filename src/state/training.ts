/** The current training run as the page sees it. Worker events are folded in here, outside React. */
import { createStore } from 'zustand/vanilla';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../config/run-config';
import type { RunState, TfBackend, TrainerEvent } from '../worker/protocol';
import type { RunGpuMemory } from '../train/gpu-guard';
import { createTrainerClient, type TrainerClient } from '../worker/trainer.client';
import type { Agreement as ProbeAgreement, ProbeView } from '../eval/probe-view';
import { sameBins } from '../eval/histogram';
import { deleteCheckpoint, listCheckpoints } from '../train/checkpoints';
import { errorMessage } from '../util/errors';

export interface ProbeScores {
  step: number;
  pos: Float32Array;
  neg: Float32Array;
}

export interface TrainingState {
  state: RunState | 'idle';
  message: string;
  /** The dataset the current (or last) run trains on. */
  datasetId: string;
  backend: TfBackend | null;
  backendNote: string;
  config: RunConfig;
  parameterCount: number;
  trainTriples: number;
  probeTriples: number;
  unresolvedTriples: number;
  step: number;
  loss: number | null;
  stepsPerSecond: number;
  triplesPerSecond: number;
  epoch: number;
  numTensors: number | null;
  numTensorsStep: number;
  /** tfjs's WebGPU buffers at the last metrics (WebGPU only). */
  gpu: RunGpuMemory | null;
  /** Loss per step, index = step - 1. */
  losses: number[];
  /** Raw probe-set scores, kept for the run report and the finished runs; the charts draw `probeView`. */
  teacherProbe: { pos: Float32Array; neg: Float32Array } | null;
  lastProbe: ProbeScores | null;
  /** The last probe as the training worker binned it: what the probe charts draw. */
  probeView: (ProbeView & { step: number }) | null;
  /** How well student margins follow the teacher's on the probe set, at each probe. */
  agreement: Agreement[];
  /** Dev-set metrics taken during training (config.evalEvery), and what they measure. */
  devEvals: { step: number; mrr10: number; ndcg10: number; queries: number }[];
  devEvalNote: string;
  /** The run's id (its checkpoints are stored under it). */
  runId: string;
  /** The last checkpoint saved in this run, and a note if one could not be. */
  checkpoint: { step: number; bytes: number; seconds: number } | null;
  checkpointNote: string;
  /** Runs cut off (closed tab, reload, lost GPU, error) whose checkpoints can be continued. */
  resumable: ResumableRun[];
}

export interface ResumableRun {
  runId: string;
  datasetId: string;
  step: number;
  savedAt: number;
  config: RunConfig;
}

/** Pearson's r, Kendall's tau and Margin-MSE at one probe (measured in the worker, eval/probe-view.ts). */
export interface Agreement extends ProbeAgreement {
  step: number;
}

export const trainingStore = createStore<TrainingState>()(() => ({
  state: 'idle',
  message: '',
  datasetId: '',
  backend: null,
  backendNote: '',
  config: DEFAULT_RUN_CONFIG,
  parameterCount: 0,
  trainTriples: 0,
  probeTriples: 0,
  unresolvedTriples: 0,
  step: 0,
  loss: null,
  stepsPerSecond: 0,
  triplesPerSecond: 0,
  epoch: 0,
  numTensors: null,
  numTensorsStep: 0,
  gpu: null,
  losses: [],
  teacherProbe: null,
  lastProbe: null,
  probeView: null,
  agreement: [],
  devEvals: [],
  devEvalNote: '',
  runId: '',
  checkpoint: null,
  checkpointNote: '',
  resumable: [],
}));

/** Applies one worker event to a state; pure, so it can be tested and batched. */
export function applyTrainerEvent(s: TrainingState, ev: TrainerEvent): Partial<TrainingState> {
  switch (ev.type) {
    case 'status':
      return { state: ev.state, message: ev.message ?? '' };
    case 'ready':
      return {
        backend: ev.backend,
        backendNote: ev.backendNote,
        config: ev.config,
        parameterCount: ev.parameterCount,
        trainTriples: ev.trainTriples,
        probeTriples: ev.probeTriples,
        unresolvedTriples: ev.unresolvedTriples,
        teacherProbe: { pos: ev.teacherProbePos, neg: ev.teacherProbeNeg },
        runId: ev.runId,
        ...(ev.resumed ? { losses: Array.from(ev.resumed.losses), step: ev.resumed.step, loss: ev.resumed.losses[ev.resumed.losses.length - 1] ?? null } : {}),
        resumable: s.resumable.filter((r) => r.runId !== ev.runId),
      };
    case 'metrics': {
      const losses = s.losses.slice();
      ev.steps.forEach((step, i) => (losses[step - 1] = ev.losses[i] as number));
      const last = ev.steps.length - 1;
      return {
        losses,
        step: ev.steps[last] ?? s.step,
        loss: ev.losses[last] ?? s.loss,
        epoch: ev.epoch,
        stepsPerSecond: ev.stepsPerSecond,
        triplesPerSecond: ev.triplesPerSecond,
        numTensors: ev.numTensors,
        numTensorsStep: ev.steps[last] ?? s.numTensorsStep,
        gpu: ev.gpu ?? null,
      };
    }
    case 'probe': {
      const lastProbe = { step: ev.step, pos: ev.studentPos, neg: ev.studentNeg };
      const agreement = [...s.agreement.filter((a) => a.step !== ev.step), { step: ev.step, ...ev.view.agreement }];
      // The teacher's scores do not change during a run: their bins stay the same object, so their chart is not redrawn.
      const previous = s.probeView?.scores.teacher;
      const teacher = previous && sameBins(previous.bins, ev.view.scores.teacher.bins) ? previous : ev.view.scores.teacher;
      return { lastProbe, probeView: { step: ev.step, ...ev.view, scores: { ...ev.view.scores, teacher } }, agreement };
    }
    case 'dev-eval':
      if (!Number.isFinite(ev.mrr10)) return { devEvalNote: ev.note };
      return { devEvals: [...s.devEvals.filter((d) => d.step !== ev.step), { step: ev.step, mrr10: ev.mrr10, ndcg10: ev.ndcg10, queries: ev.queries }], devEvalNote: ev.note };
    case 'checkpoint':
      return { checkpoint: { step: ev.step, bytes: ev.bytes, seconds: ev.seconds }, checkpointNote: '' };
    case 'checkpoint-failed':
      return { checkpointNote: `the checkpoint at step ${ev.step} could not be saved: ${ev.message}` };
    case 'eval-progress':
    case 'handoff-progress':
    case 'teacher-progress':
      // Evaluation, the handoff and teacher jobs have stores of their own (state/evaluation.ts, handoff.ts, teacher.ts).
      return {};
    default: {
      const unreachable: never = ev;
      throw new Error(`unknown trainer event ${JSON.stringify(unreachable)}`);
    }
  }
}

// Events can arrive many times a second on a fast GPU; the page re-renders at most this often.
const COMMIT_MS = 150;
let queued: TrainerEvent[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

function commitQueued(): void {
  timer = null;
  const events = queued;
  queued = [];
  let state = trainingStore.getState();
  for (const ev of events) state = { ...state, ...applyTrainerEvent(state, ev) };
  trainingStore.setState(state, true);
}

const listeners = new Set<(ev: TrainerEvent) => void>();

/** Lets another store hear the training worker's events (evaluation progress). */
export function onTrainerEvent(listener: (ev: TrainerEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function onEvent(ev: TrainerEvent): void {
  for (const l of listeners) l(ev);
  if (ev.type === 'eval-progress' || ev.type === 'teacher-progress') return;
  queued.push(ev);
  // State changes (paused, done, error) show at once; numbers may wait for the next frame.
  if (ev.type === 'status') {
    if (timer) clearTimeout(timer);
    commitQueued();
    // A failed run's last checkpoint becomes resumable; a finished one's no longer is.
    if (ev.state === 'error' || ev.state === 'done' || ev.state === 'stopped') void refreshResumable();
  } else {
    timer ??= setTimeout(commitQueued, COMMIT_MS);
  }
}

let client: TrainerClient | null = null;
/** The one training worker: it holds the student, so evaluation goes through it too. */
/** Asks the training worker, if there is one, to close the dataset files its evaluation keeps open. */
export async function releaseTrainerFiles(): Promise<void> {
  await client?.request({ type: 'release-files' });
}

export function trainerClient(): TrainerClient {
  client ??= createTrainerClient((message) => {
    trainingStore.setState({ state: 'error', message: `The training worker stopped unexpectedly (${message}). Resume the run from its last checkpoint, or start a new one.` });
    void refreshResumable();
  }, onEvent);
  return client;
}

/** Checkpoints of runs that were cut off, for the page to offer. */
export async function refreshResumable(): Promise<void> {
  try {
    const { runId, state } = trainingStore.getState();
    const live = state === 'loading' || state === 'running' || state === 'paused';
    const list = (await listCheckpoints()).filter((c) => c.status === 'running' && !(live && c.runId === runId));
    trainingStore.setState({ resumable: list.map(({ runId: id, datasetId, step, savedAt, config }) => ({ runId: id, datasetId, step, savedAt, config })) });
  } catch {
    // No IndexedDB (a private window may refuse it): nothing to offer.
  }
}

export async function discardCheckpoint(runId: string): Promise<void> {
  await deleteCheckpoint(runId);
  await refreshResumable();
}

/** Continues a cut-off run from its checkpoint, with its own config and dataset. */
export function resumeRun(run: ResumableRun): Promise<void> {
  return startTraining(run.datasetId, run.config, run.runId);
}

/** Clears what the page shows of the last run, before a new one (or loaded weights) takes its place. */
export function resetRunView(patch: Partial<TrainingState> = {}): void {
  trainingStore.setState({
    state: 'loading',
    message: '',
    step: 0,
    loss: null,
    losses: [],
    lastProbe: null,
    probeView: null,
    teacherProbe: null,
    agreement: [],
    devEvals: [],
    devEvalNote: '',
    checkpoint: null,
    checkpointNote: '',
    numTensors: null,
    stepsPerSecond: 0,
    triplesPerSecond: 0,
    ...patch,
  });
}

export async function startTraining(datasetId: string, config: Partial<RunConfig>, resumeFrom?: string): Promise<void> {
  resetRunView({ datasetId });
  try {
    await trainerClient().request({ type: 'start', datasetId, config, ...(resumeFrom ? { resumeFrom } : {}) });
  } catch (err) {
    trainingStore.setState({ state: 'error', message: errorMessage(err) });
  }
}

export async function controlTraining(type: 'pause' | 'resume' | 'stop'): Promise<void> {
  await trainerClient().request({ type });
}
