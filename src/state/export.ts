/** Downloads the current student's weights as safetensors or in the tfjs layout. */
import { writeSafetensors } from '../export/safetensors';
import { download } from '../util/download';
import { writeTfjs, WEIGHTS_FILE } from '../export/tfjs';
import type { ExportedWeights } from '../worker/protocol';
import { refreshResumable, resetRunView, trainerClient, trainingStore } from './training';
import { PROJECT_EXTENSION, readProject, writeProject } from '../train/project';
import { saveCheckpoint } from '../train/checkpoints';
import { evaluationStore } from './evaluation';
import { runReport } from './report';
import type { DatasetInfo } from '../data/store/schema';
import { readSafetensorsWeights, readTfjsWeights, type ImportedWeights } from '../export/read-weights';
import { newId } from '../util/ids';
import { blobPart, transferList } from '../util/bytes';

export type ExportFormat = 'safetensors' | 'tfjs';

function save(name: string, part: string | Uint8Array, type: string): void {
  download(name, new Blob([typeof part === 'string' ? part : blobPart(part)], { type }));
}

/** A file name stem saying what the weights are: architecture, loss, steps. */
export function exportName(w: ExportedWeights): string {
  const run: unknown = JSON.parse(w.metadata.run ?? '{}');
  const loss = typeof run === 'object' && run !== null && 'loss' in run && typeof run.loss === 'string' ? run.loss : 'student';
  return `${w.metadata.arch}-${loss}-step${w.metadata.steps}`;
}

export async function exportStudent(format: ExportFormat): Promise<void> {
  const weights = await trainerClient().request({ type: 'export' });
  if (format === 'safetensors') {
    save(`${exportName(weights)}.safetensors`, writeSafetensors(weights.tensors, weights.metadata), 'application/octet-stream');
  } else {
    const { modelJson, weights: bin } = writeTfjs(weights.tensors, weights.metadata);
    // model.json names its weights file; both must sit in one folder under these names.
    save('model.json', modelJson, 'application/json');
    save(WEIGHTS_FILE, bin, 'application/octet-stream');
  }
}

/** Downloads the run report (config, metric history, dataset description, last evaluation) as JSON. */
export function exportReport(dataset: DatasetInfo | null): void {
  const s = trainingStore.getState();
  const report = runReport(s, dataset, evaluationStore.getState().report);
  save(`${s.config.arch}-${s.config.loss}-report.json`, JSON.stringify(report, null, 1), 'application/json');
}

/** Downloads the current run as a project file, to continue training in another browser. */
export async function exportProject(): Promise<void> {
  const project = await trainerClient().request({ type: 'export-project' });
  const c = project.snapshot.config;
  save(`${c.arch}-${c.loss}-step${project.snapshot.stepsDone}${PROJECT_EXTENSION}`, writeProject(project), 'application/octet-stream');
}

/**
 * Opens a project file on this dataset: its run becomes a checkpoint here, offered for resuming like a cut-off run
 * (resuming checks the student and the data against it).
 */
async function openProject(file: File, dataset: DatasetInfo): Promise<void> {
  const project = readProject(new Uint8Array(await file.arrayBuffer()), file.name);
  if (project.tokenizer !== dataset.tokenizer) throw new Error(`${file.name}: the run was trained on ${project.tokenizer} tokens, but the active dataset "${dataset.name}" has ${dataset.tokenizer}`);
  const runId = newId('project');
  await saveCheckpoint({ runId, datasetId: dataset.id, status: 'running', savedAt: Date.now(), losses: project.losses, snapshot: project.snapshot });
  await refreshResumable();
}

/** Reads weights a person chose: one `.safetensors` file, or `model.json` with its `weights.bin`. */
export async function readWeightFiles(files: readonly File[]): Promise<ImportedWeights> {
  const bytes = async (f: File) => new Uint8Array(await f.arrayBuffer());
  const st = files.find((f) => /\.safetensors$/i.test(f.name));
  if (st && files.length === 1) return readSafetensorsWeights(await bytes(st), st.name);
  const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  const bin = files.find((f) => f.name.toLowerCase().endsWith('.bin'));
  if (json && bin && files.length === 2) return readTfjsWeights(await json.text(), await bytes(bin), json.name);
  throw new Error('choose one .safetensors file, or a model.json together with its weights.bin');
}

/** Makes the weights in `files` the current student on the dataset, for evaluation and export. */
export async function loadWeightFiles(files: readonly File[], dataset: DatasetInfo): Promise<void> {
  const project = files.find((f) => f.name.toLowerCase().endsWith(PROJECT_EXTENSION));
  if (project) {
    if (files.length !== 1) throw new Error(`open a project file (${PROJECT_EXTENSION}) on its own`);
    return openProject(project, dataset);
  }
  const datasetId = dataset.id;
  const weights = await readWeightFiles(files);
  resetRunView();
  await trainerClient().request(
    { type: 'load-weights', datasetId, tensors: weights.tensors, metadata: weights.metadata },
    transferList(weights.tensors.map((t) => t.data)),
  );
}
