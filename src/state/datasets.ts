/** Datasets in the catalog, the active one, the state of the last import, and the browser's storage. */
import { createStore } from 'zustand/vanilla';
import { createImportClient, type ImportClient } from '../data/import.client';
import type { ImportProgress } from '../data/import.core';
import type { ChosenFile } from '../data/import.protocol';
import { deleteDataset, listDatasets } from '../data/store/catalog';
import { recoverUnfinishedDatasets } from '../data/store/dataset-db';
import type { DatasetInfo } from '../data/store/schema';
import type { Layout } from '../data/formats/layouts';
import type { TokenizerChoice } from '../text/tokenizers';
import { DEFAULT_DEMO_OPTIONS } from '../data/demo/generator';

export type ImportState = 'idle' | 'running' | 'done' | 'error';

export interface StorageUse {
  usage: number;
  quota: number;
  persisted: boolean;
}

export interface DatasetState {
  datasets: DatasetInfo[];
  activeId: string | null;
  importState: ImportState;
  importError: string;
  /** A warning raised during the import (e.g. it may not fit). */
  importNotice: string;
  progress: ImportProgress | null;
  storage: StorageUse | null;
}

const ACTIVE_KEY = 'margin-studio.active-dataset';

export const datasetStore = createStore<DatasetState>()(() => ({
  datasets: [],
  activeId: null,
  importState: 'idle',
  importError: '',
  importNotice: '',
  progress: null,
  storage: null,
}));

let client: ImportClient | null = null;
function importClient(): ImportClient {
  client ??= createImportClient(
    (message) => {
      datasetStore.setState({ importState: 'error', importError: `The import worker stopped unexpectedly (${message}). What it had written is never marked ready and is removed on the next visit.`, progress: null });
      // Ended for good, so that its Web Lock is released and its half-written dataset is known to be abandoned.
      client?.terminate();
      client = null;
    },
    (ev) => {
      if (ev.type === 'progress') {
        const { type: _type, ...progress } = ev;
        datasetStore.setState({ progress });
      } else {
        datasetStore.setState({ importNotice: ev.message });
      }
    },
  );
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
  void refreshStorage();
  return datasets;
}

export async function refreshStorage(): Promise<void> {
  const storage = navigator.storage;
  if (!storage?.estimate) return;
  const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([storage.estimate(), storage.persisted?.() ?? Promise.resolve(false)]);
  datasetStore.setState({ storage: { usage, quota, persisted } });
}

async function runImport(request: () => ReturnType<ImportClient['request']>): Promise<void> {
  datasetStore.setState({ importState: 'running', importError: '', importNotice: '', progress: null });
  try {
    const result = await request();
    await refresh();
    if ('dataset' in result) setActiveDataset(result.dataset.id);
    datasetStore.setState({ importState: 'cancelled' in result ? 'idle' : 'done', progress: null });
  } catch (err) {
    datasetStore.setState({ importState: 'error', importError: err instanceof Error ? err.message : String(err), progress: null });
    await refresh().catch(() => undefined);
  }
}

export function loadDemo(seed = DEFAULT_DEMO_OPTIONS.seed): Promise<void> {
  return runImport(() => importClient().request({ type: 'load-demo', seed }));
}

/**
 * Files chosen together become one new dataset, or are added to the dataset `appendTo`. `layout` forces every file
 * to be read as that layout.
 */
export async function importChosenFiles(files: readonly File[], layout?: Layout, appendTo?: string, tokenizer?: TokenizerChoice): Promise<void> {
  if (files.length === 0) return;
  // Ask for storage the browser will not evict under pressure; the answer is the browser's to give, and the
  // import need not wait for it.
  void navigator.storage?.persist?.().then(() => refreshStorage(), () => undefined);
  const chosen: ChosenFile[] = files.map((file) => (layout ? { file, layout } : { file }));
  return runImport(() => importClient().request({ type: 'import-files', files: chosen, ...(appendTo ? { appendTo } : { ...(tokenizer ? { tokenizer } : {}) }) }));
}

export async function cancelImport(): Promise<void> {
  await importClient().request({ type: 'cancel' });
}

export async function removeDataset(id: string): Promise<void> {
  await deleteDataset(id);
  await refresh();
}

/** On page load: clear imports a closed tab cut off, then load the demo if there is nothing at all. */
export async function initDatasets(): Promise<void> {
  try {
    await recoverUnfinishedDatasets();
    const datasets = await refresh();
    if (datasets.length === 0) await loadDemo();
  } catch (err) {
    datasetStore.setState({ importState: 'error', importError: `cannot open the browser's storage: ${err instanceof Error ? err.message : String(err)}` });
  }
}
