/** Handing the current run off to PyTorch: the choices, the progress of the zip, and its outcome. */
import { createStore } from 'zustand/vanilla';
import type { HandoffProgress } from '../handoff/package';
import type { HandoffStart } from '../worker/protocol';
import { download } from '../util/download';
import { onTrainerEvent, trainerClient } from './training';
import { errorMessage } from '../util/errors';

export interface HandoffState {
  state: 'idle' | 'running' | 'done' | 'error';
  error: string;
  from: HandoffStart;
  wholeCollection: boolean;
  progress: (HandoffProgress & { rate: number; startedAt: number }) | null;
  /** What the last zip held, e.g. `{ triples: 250, queries: 10, ... }`. */
  counts: Record<string, number> | null;
  missingPassages: number;
}

export const handoffStore = createStore<HandoffState>()(() => ({
  state: 'idle',
  error: '',
  from: 'start',
  wholeCollection: false,
  progress: null,
  counts: null,
  missingPassages: 0,
}));

onTrainerEvent((ev) => {
  if (ev.type !== 'handoff-progress') return;
  const s = handoffStore.getState();
  if (s.state !== 'running') return;
  const startedAt = s.progress?.phase === ev.progress.phase ? s.progress.startedAt : performance.now();
  const seconds = (performance.now() - startedAt) / 1000;
  handoffStore.setState({ progress: { ...ev.progress, startedAt, rate: seconds > 0 ? ev.progress.done / seconds : 0 } });
});

export function setHandoffOptions(patch: Partial<Pick<HandoffState, 'from' | 'wholeCollection'>>): void {
  handoffStore.setState(patch);
}

/** Writes the handoff zip in the training worker and downloads it. */
export async function exportHandoff(datasetId: string): Promise<void> {
  const { from, wholeCollection } = handoffStore.getState();
  handoffStore.setState({ state: 'running', error: '', progress: null, counts: null, missingPassages: 0 });
  try {
    const result = await trainerClient().request({ type: 'export-handoff', datasetId, from, wholeCollection });
    download(result.fileName, result.zip);
    handoffStore.setState({ state: 'done', progress: null, counts: { ...result.counts }, missingPassages: result.missingPassages });
  } catch (err) {
    handoffStore.setState({ state: 'error', error: errorMessage(err), progress: null });
  }
}
