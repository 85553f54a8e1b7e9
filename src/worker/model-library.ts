/**
 * Students that come from elsewhere: a model folder read into the model library, a library model made the current
 * student as it is, and weights a person exported earlier loaded back. The last two replace the current student,
 * to evaluate or try it without training.
 */
import { resolveRunConfig, type RunConfig } from '../config/run-config';
import { getDataset } from '../data/store/catalog';
import { getModelInfo } from '../data/store/models';
import type { NamedTensor } from '../export/safetensors';
import { isTrainingLeftover, readHandoffHistory, RESULT_FILE, TRAINER_STATE, type HandoffHistory } from '../handoff/result';
import { folderPaths } from '../model/pretrained/folder';
import { studentForHandoffKind } from '../model/students/registry';
import { importModelFolder, type ModelInfo } from '../train/models';
import { newId } from '../util/ids';
import { errorMessage } from '../util/errors';
import { emitReady, prepareStudent, probeOnce, type WorkerContext } from './prepare';
import type { PrepareTask } from './student';

export class ModelLibraryService {
  constructor(private readonly ctx: WorkerContext) {}

  /**
   * Reads a chosen model folder in this worker and stores it in the model library. A folder a handoff's train.py
   * wrote brings its run too (trainer_state.json, margin_studio.json); its checkpoints and optimizer states are
   * skipped unread.
   */
  async importModel(files: readonly { path: string; file: Blob }[], name: string): Promise<{ info: ModelInfo; history: HandoffHistory | null }> {
    this.ctx.holder.refuseWhileTraining('import a model');
    // The files stay Blobs: only configs and headers are read whole, the weights tensor by tensor as they are stored.
    const wanted = folderPaths(files.filter((f) => !isTrainingLeftover(f.path)));
    const parsed = async (file: string): Promise<unknown> => {
      const found = wanted.find((f) => f.path === file);
      if (!found) return undefined;
      try {
        return JSON.parse(await found.file.text()) as unknown;
      } catch (err) {
        throw new Error(`${file}: not valid JSON (${errorMessage(err)})`);
      }
    };
    // Checked before anything is stored: a malformed run refuses the whole folder.
    const history = readHandoffHistory(await parsed(TRAINER_STATE), await parsed(RESULT_FILE));
    const info = await importModelFolder(wanted, name);
    return { info, history };
  }

  /** Makes a library model the current student as it is, on a dataset: evaluate or try it without training. */
  useModel(datasetId: string, modelId: string, partial: Partial<RunConfig>): Promise<void> {
    return this.prepare('model', async () => {
      // The list entry is enough here; the weights are read once, by prepareStudent's startFor.
      const stored = await getModelInfo(modelId);
      if (!stored) throw new Error(`model ${modelId} is no longer in the model library`);
      const arch = studentForHandoffKind(stored.kind);
      const config = resolveRunConfig({ ...partial, arch, start: modelId, pooling: stored.pooling, denseDim: 0 });
      const { trainer, student, backend, note } = await prepareStudent(this.ctx, datasetId, config, `dataset ${datasetId} does not exist`);
      Object.assign(student, { runId: newId('model'), label: `${stored.name} (as imported)` });
      emitReady(this.ctx.emit, trainer, backend, note, student.runId);
      await probeOnce(this.ctx.emit, trainer);
      return `${stored.name} is the student, as imported (no training)`;
    });
  }

  /** Makes imported weights (read and checked on the page) the current student on a dataset; scores the probe set. */
  loadWeights(datasetId: string, { tensors, metadata }: { tensors: NamedTensor[]; metadata: Record<string, string> }): Promise<void> {
    return this.prepare('weights', async () => {
      let config: RunConfig;
      try {
        config = resolveRunConfig(JSON.parse(metadata.run ?? '') as Partial<RunConfig>);
      } catch (err) {
        throw new Error(`the run config in the file's metadata is not valid: ${errorMessage(err)}`);
      }
      const info = await getDataset(datasetId);
      if (info && metadata.tokenizer !== info.tokenizer) throw new Error(`these weights were trained on ${metadata.tokenizer} tokens, but the active dataset "${info.name}" has ${info.tokenizer}; load them with a dataset tokenized the same way`);
      const { trainer, student, backend, note } = await prepareStudent(this.ctx, datasetId, config, `dataset ${datasetId} does not exist`);
      try {
        trainer.loadWeights(tensors);
      } catch (err) {
        // A student with half its weights is no student: it goes, and there is none until the next run or load.
        this.ctx.holder.replace(null);
        throw err;
      }
      trainer.stepsDone = Number(metadata.steps) || 0;
      student.runId = newId('imported');
      emitReady(this.ctx.emit, trainer, backend, note, student.runId);
      await probeOnce(this.ctx.emit, trainer);
      return 'weights loaded from a file';
    });
  }

  /**
   * Makes a new current student with `work`, which returns what the page says when it is ready. The page hears of a
   * failure as a `status` error too; a refusal (something else running) is only the request's error.
   */
  private async prepare(task: PrepareTask, work: () => Promise<string>): Promise<void> {
    const { emit, holder } = this.ctx;
    holder.beginPreparing(task);
    let message: string;
    try {
      emit({ type: 'status', state: 'loading' });
      message = await work();
    } catch (err) {
      holder.endPreparing();
      emit({ type: 'status', state: 'error', message: errorMessage(err) });
      throw err;
    }
    holder.endPreparing();
    emit({ type: 'status', state: 'done', message });
  }
}
