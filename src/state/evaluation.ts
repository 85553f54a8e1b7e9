/** The last evaluation: its progress while it runs, then its report. */
import { createStore } from 'zustand/vanilla';
import type { EvalPhase, EvalReport } from '../eval/rerank';
import { onTrainerEvent, trainerClient } from './training';

export interface EvaluationState {
  state: 'idle' | 'running' | 'done' | 'error';
  error: string;
  progress: { phase: EvalPhase; done: number; total: number; rate: number } | null;
  report: EvalReport | null;
  threshold: number;
  depth: number;
  /** Also retrieve with the student over the whole collection (dot students). */
  dense: boolean;
}

export const evaluationStore = createStore<EvaluationState>()(() => ({
  state: 'idle',
  error: '',
  progress: null,
  report: null,
  threshold: 1,
  depth: 100,
  dense: true,
}));

onTrainerEvent((ev) => {
  if (ev.type === 'eval-progress') evaluationStore.setState({ progress: { phase: ev.phase, done: ev.done, total: ev.total, rate: ev.rate } });
});

export async function runEvaluation(datasetId: string): Promise<void> {
  const { threshold, depth, dense } = evaluationStore.getState();
  evaluationStore.setState({ state: 'running', error: '', progress: null });
  try {
    const report = await trainerClient().request({ type: 'evaluate', datasetId, threshold, depth, dense });
    evaluationStore.setState({ state: 'done', report, progress: null });
  } catch (err) {
    evaluationStore.setState({ state: 'error', error: err instanceof Error ? err.message : String(err), progress: null });
  }
}
