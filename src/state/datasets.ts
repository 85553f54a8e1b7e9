/** Datasets in the catalog, the active one, and the state of the last import. */
import { createStore } from 'zustand/vanilla';
import { createImportClient, type ImportClient } from '../data/import.client';
import type { ImportEvent } from '../data/import.protocol';
import { listDatasets, removeUnfinishedDatasets } from '../data/store/catalog';
import type { DatasetInfo } from '../data/store/schema';
import { DEFAULT_DEMO_OPTIONS } from '../data/demo/generator';

export type ImportState = 'idle' | 'running' | 'done' | 'error';

export interface DatasetState {
  datasets: DatasetInfo[];
  activeId: string | null;
  importState: ImportState;
  importError: string;
  progress: (Omit<ImportEvent, 'type'> & { startedAt: number }) | null;
}

const ACTIVE_KEY = 'margin-studio.active-dataset';

export const datasetStore = createStore<DatasetState>()(() => ({
  datasets: [],
  activeId: null,
  importState: 'idle',
  importError: '',
  progress: null,
}));

let client: ImportClient | null = null;
function importClient(): ImportClient {
  client ??= createImportClient((message) => datasetStore.setState({ importState: 'error', importError: `The import worker stopped unexpectedly (${message}). What it had written is never marked ready and is removed on a later visit.`, progress: null }), (ev) => {
    const prev = datasetStore.getState().progress;
    datasetStore.setState({ progress: { phase: ev.phase, done: ev.done, total: ev.total, rate: ev.rate, startedAt: prev?.startedAt ?? Date.now() } });
  });
  return client;
}

export function activeDataset(s: DatasetState): DatasetInfo | undefined {
  return s.datasets.find((d) => d.id === s.activeId);
}

export function setActiveDataset(id: string): void {
  localStorage.setItem(ACTIVE_KEY, id);
  datasetStore.setState({ activeId: id });
}

async function refresh(): Promise<DatasetInfo[]> {
  const datasets = (await listDatasets()).filter((d) => d.status === 'ready');
  const remembered = localStorage.getItem(ACTIVE_KEY);
  const current = datasetStore.getState().activeId ?? remembered;
  const activeId = datasets.some((d) => d.id === current) ? current : (datasets.at(-1)?.id ?? null);
  datasetStore.setState({ datasets, activeId });
  return datasets;
}

export async function loadDemo(seed = DEFAULT_DEMO_OPTIONS.seed): Promise<void> {
  datasetStore.setState({ importState: 'running', importError: '', progress: null });
  try {
    const result = await importClient().request({ type: 'load-demo', seed });
    await refresh();
    if ('dataset' in result) setActiveDataset(result.dataset.id);
    datasetStore.setState({ importState: 'cancelled' in result ? 'idle' : 'done', progress: null });
  } catch (err) {
    datasetStore.setState({ importState: 'error', importError: err instanceof Error ? err.message : String(err), progress: null });
  }
}

export async function cancelImport(): Promise<void> {
  await importClient().request({ type: 'cancel' });
}

/** On page load: clear imports a closed tab cut off, then load the demo if there is nothing at all. */
export async function initDatasets(): Promise<void> {
  try {
    await removeUnfinishedDatasets();
    const datasets = await refresh();
    if (datasets.length === 0) await loadDemo();
  } catch (err) {
    datasetStore.setState({ importState: 'error', importError: `cannot open the browser's storage: ${err instanceof Error ? err.message : String(err)}` });
  }
}
