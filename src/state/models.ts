/**
 * The model library as the page sees it: the stored pretrained models, the state of the last model import, and the
 * student's export as a Hugging Face folder. Reading and checking a folder happens in the training worker.
 */
import { createStore } from 'zustand/vanilla';
import { deleteModel, listModels, loadModelVocab, type ModelInfo } from '../data/store/models';
import type { DatasetInfo } from '../data/store/schema';
import type { EvalReport } from '../eval/rerank';
import { download } from '../util/download';
import { blobPart } from '../util/bytes';
import { resetRunView, trainerClient, trainingStore } from './training';
import type { RunConfig } from '../config/run-config';
import { addRun, handoffRun } from './runs';
import { errorMessage } from '../util/errors';

export type { ModelInfo };

export interface ModelsState {
  models: ModelInfo[];
  importState: 'idle' | 'running' | 'done' | 'error';
  importError: string;
  /** The model the last import stored. */
  imported: ModelInfo | null;
  /** The PyTorch run that came with it (a handoff's output folder), if any. */
  importedRun: { steps: number; device: string } | null;
  exportState: 'idle' | 'running' | 'done' | 'error';
  exportError: string;
  /** The web (transformers.js) export's, apart from the Hugging Face one's: each button says its own state. */
  webExportState: 'idle' | 'running' | 'done' | 'error';
  webExportError: string;
}

export const modelsStore = createStore<ModelsState>()(() => ({
  models: [],
  importState: 'idle',
  importError: '',
  imported: null,
  importedRun: null,
  exportState: 'idle',
  exportError: '',
  webExportState: 'idle',
  webExportError: '',
}));

export async function refreshModels(): Promise<void> {
  try {
    modelsStore.setState({ models: await listModels() });
  } catch {
    // No IndexedDB (a private window may refuse it): an empty library.
  }
}

/** A file of a chosen folder with its path inside the folder (a folder picker gives `webkitRelativePath`). */
export function folderEntries(files: readonly File[]): { name: string; entries: { path: string; file: File }[] } {
  const entries = files.map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  const top = entries[0]?.path.includes('/') ? (entries[0].path.split('/')[0] as string) : '';
  const name = top && entries.every((e) => e.path.startsWith(`${top}/`)) ? top : 'model';
  return { name, entries };
}

/** Reads and stores a model folder a person chose (as a folder, or its files together). */
export async function importModelFiles(files: readonly File[]): Promise<void> {
  if (files.length === 0) return;
  const { name, entries } = folderEntries(files);
  modelsStore.setState({ importState: 'running', importError: '' });
  try {
    const { info, history } = await trainerClient().request({ type: 'import-model', name, files: entries });
    // The output of a handoff's train.py: its run joins the history beside the browser runs.
    if (history) addRun(handoffRun(history, info, trainingStore.getState().datasetId || '', Date.now()));
    await refreshModels();
    modelsStore.setState({ importState: 'done', imported: info, importedRun: history ? { steps: history.steps, device: history.device } : null });
  } catch (err) {
    modelsStore.setState({ importState: 'error', importError: errorMessage(err) });
  }
}

export async function removeModel(id: string): Promise<void> {
  await deleteModel(id);
  await refreshModels();
}

/** The vocabulary of a stored model, for tokenizing a dataset again. */
export async function modelVocabulary(id: string): Promise<string[]> {
  const vocab = await loadModelVocab(id);
  if (!vocab) throw new Error(`model ${id} is no longer in the library`);
  return vocab;
}

/** Makes a library model the student as it is (no training), for evaluating or trying it. */
export async function loadModelAsStudent(datasetId: string, modelId: string, config: Partial<RunConfig>): Promise<void> {
  resetRunView({ datasetId });
  try {
    await trainerClient().request({ type: 'use-model', datasetId, modelId, config });
  } catch (err) {
    trainingStore.setState({ state: 'error', message: errorMessage(err) });
  }
}

/** What an export's README says of the run: the dataset's teacher files and the evaluation's rows. */
function exportSummary(dataset: DatasetInfo | null, report: EvalReport | null) {
  const teacherFiles = (dataset?.files ?? []).filter((f) => f.layout.startsWith('teacher')).map((f) => f.name);
  const evaluation = (report?.rows ?? []).map((r) => ({ system: r.system, metrics: { 'MRR@10': r.mrr10, 'nDCG@10': r.ndcg10, 'Recall@100': r.recall100, queries: r.queries } }));
  return { teacherFiles, evaluation };
}

/** Runs a folder export in the worker and downloads its zip, its state under the given keys of the store. */
async function exportZip(type: 'export-hf' | 'export-web', keys: { state: 'exportState' | 'webExportState'; error: 'exportError' | 'webExportError' }, dataset: DatasetInfo | null, report: EvalReport | null): Promise<void> {
  modelsStore.setState({ [keys.state]: 'running', [keys.error]: '' });
  try {
    const zip = await trainerClient().request({ type, ...exportSummary(dataset, report) });
    download(zip.fileName, new Blob([blobPart(zip.bytes)], { type: 'application/zip' }));
    modelsStore.setState({ [keys.state]: 'done' });
  } catch (err) {
    modelsStore.setState({ [keys.state]: 'error', [keys.error]: errorMessage(err) });
  }
}

/** Downloads the current student as a Hugging Face folder (zip), its README naming the teacher files and metrics. */
export function exportHuggingFace(dataset: DatasetInfo | null, report: EvalReport | null): Promise<void> {
  return exportZip('export-hf', { state: 'exportState', error: 'exportError' }, dataset, report);
}

/** Downloads the current student as a transformers.js folder (zip): ONNX fp32 and int8, tokenizer, a README with code. */
export function exportWeb(dataset: DatasetInfo | null, report: EvalReport | null): Promise<void> {
  return exportZip('export-web', { state: 'webExportState', error: 'webExportError' }, dataset, report);
}
