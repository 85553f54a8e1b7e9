/** The last evaluation: its progress while it runs, then its report. */
import { createStore } from 'zustand/vanilla';
import type { EvalPhase, EvalReport, SystemRow } from '../eval/rerank';
import { onTrainerEvent, trainerClient } from './training';
import { errorMessage } from '../util/errors';
import { modelsStore } from './models';
import { teacherStore } from './teacher';

export interface EvaluationState {
  state: 'idle' | 'running' | 'done' | 'error';
  error: string;
  progress: { phase: EvalPhase; done: number; total: number; rate: number } | null;
  report: EvalReport | null;
  threshold: number;
  depth: number;
  /** Also retrieve with the student over the whole collection (dot students). */
  dense: boolean;
  /** The teacher's row: '' for the scores stored with the triples, else a library cross-encoder re-ranking. */
  teacherModel: string;
  /** The dataset the report is on. */
  datasetId: string;
  /**
   * Students evaluated earlier on this dataset with the same settings (a browser run, a model brought back from
   * PyTorch...), kept beside the current one: the last row of each, newest last.
   */
  earlier: EarlierStudent[];
}

export interface EarlierStudent {
  label: string;
  row: SystemRow;
}

/** How many earlier students the table keeps. */
const KEEP_EARLIER = 6;

/** The earlier students after `previous` gives way to `next`: same dataset and settings, one row per label. */
export function keepEarlier(earlier: readonly EarlierStudent[], previous: EvalReport | null, next: EvalReport, sameDataset: boolean): EarlierStudent[] {
  const comparable = (r: EvalReport | null) => r !== null && sameDataset && r.threshold === next.threshold && r.depth === next.depth && r.candidates === next.candidates;
  const kept = comparable(previous) ? earlier.slice() : [];
  const row = previous?.rows.find((r) => r.system === 'student');
  if (comparable(previous) && row && previous?.studentLabel) kept.push({ label: previous.studentLabel, row });
  // One row per label, the newest; the student evaluated now is shown as "student", not again here.
  const byLabel = new Map<string, EarlierStudent>();
  for (const e of kept) {
    byLabel.delete(e.label);
    byLabel.set(e.label, e);
  }
  if (next.studentLabel) byLabel.delete(next.studentLabel);
  return [...byLabel.values()].slice(-KEEP_EARLIER);
}

export const evaluationStore = createStore<EvaluationState>()(() => ({
  state: 'idle',
  error: '',
  progress: null,
  report: null,
  threshold: 1,
  depth: 100,
  dense: true,
  teacherModel: '',
  datasetId: '',
  earlier: [],
}));

onTrainerEvent((ev) => {
  if (ev.type === 'eval-progress') evaluationStore.setState({ progress: { phase: ev.phase, done: ev.done, total: ev.total, rate: ev.rate } });
});

/** A library cross-encoder as the teacher's row, reading pairs as the teacher job's settings say (within its positions). */
function libraryTeacher(modelId: string): { modelId: string; maxLength: number; maxQueryTokens: number } {
  const model = modelsStore.getState().models.find((m) => m.id === modelId);
  if (!model) throw new Error(`model ${modelId} is no longer in the model library`);
  const { maxLength, maxQueryTokens } = teacherStore.getState().draft;
  return { modelId, maxLength: Math.min(maxLength, model.dims.maxPositions), maxQueryTokens };
}

export async function runEvaluation(datasetId: string): Promise<void> {
  const { threshold, depth, dense, teacherModel } = evaluationStore.getState();
  evaluationStore.setState({ state: 'running', error: '', progress: null });
  try {
    const teacher = teacherModel ? libraryTeacher(teacherModel) : undefined;
    const report = await trainerClient().request({ type: 'evaluate', datasetId, threshold, depth, dense, ...(teacher ? { teacher } : {}) });
    const before = evaluationStore.getState();
    const earlier = keepEarlier(before.earlier, before.report, report, before.datasetId === datasetId);
    evaluationStore.setState({ state: 'done', report, progress: null, datasetId, earlier });
  } catch (err) {
    evaluationStore.setState({ state: 'error', error: errorMessage(err), progress: null });
  }
}
