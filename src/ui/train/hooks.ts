/** Narrow reads of the stores that several parts of the Train panel need; each re-renders only when its answer changes. */
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { runsStore } from '../../state/runs';
import { evaluationStore } from '../../state/evaluation';
import { activeDataset, datasetStore } from '../../state/datasets';

/** A run is loading, running or paused: its config cannot change under it. */
export function useRunActive(): boolean {
  return useStore(trainingStore, (s) => s.state === 'loading' || s.state === 'running' || s.state === 'paused');
}

export function useGridRunning(): boolean {
  return useStore(runsStore, (r) => r.grid?.state === 'running');
}

export function useEvaluating(): boolean {
  return useStore(evaluationStore, (e) => e.state === 'running');
}

export function useActiveDatasetId(): string | undefined {
  return useStore(datasetStore, (s) => activeDataset(s)?.id);
}

export function useActiveTokenizer(): string | undefined {
  return useStore(datasetStore, (s) => activeDataset(s)?.tokenizer);
}

/** The active dataset at the moment of a click, without subscribing to it. */
export function currentDataset() {
  return activeDataset(datasetStore.getState());
}

