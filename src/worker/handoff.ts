/**
 * The current run handed off to continue on GPUs: the dataset's data as plain files, the model to continue from,
 * train.py and its settings, in one zip streamed to a Blob (the browser keeps a large one on disk).
 */
import { getDataset } from '../data/store/catalog';
import { forEachChunk } from '../data/store/dataset-db';
import { huggingFaceFolder } from '../export/hf';
import { trainSettings } from '../handoff/mapping';
import { startFolder } from '../handoff/model-folder';
import { writeHandoff, type HandoffModel } from '../handoff/package';
import { loadModel } from '../data/store/models';
import { huggingFaceDescription } from '../train/hf-export';
import { startOf } from '../train/models';
import type { HandoffStart, TrainerResults } from './protocol';
import type { WorkerContext } from './prepare';

export class HandoffService {
  constructor(private readonly ctx: WorkerContext) {}

  async exportHandoff(datasetId: string, from: HandoffStart, wholeCollection: boolean): Promise<TrainerResults['export-handoff']> {
    const { trainer, model: modelName } = this.ctx.holder.use({
      doing: 'hand the run off',
      none: 'no run has been trained since the page was opened: train the run to hand off (a few steps are enough), then export it',
    });
    const info = await getDataset(datasetId);
    if (!info) throw new Error(`dataset ${datasetId} does not exist`);
    if (info.status !== 'ready') throw new Error(`dataset "${info.name}" is still being imported`);
    const config = trainer.config;
    // Refused runs stop here, before any weight is read back from the GPU.
    trainSettings(config, 0);
    const summary = { baseModel: modelName, teacherFiles: (info.files ?? []).filter((f) => f.layout.startsWith('teacher')).map((f) => f.name), loss: config.loss, steps: trainer.stepsDone, learningRate: config.learningRate, evaluation: [] };
    let model: HandoffModel;
    if (from === 'current') {
      const files = huggingFaceFolder(await huggingFaceDescription(trainer.model), summary);
      model = { name: `${config.arch} student after ${trainer.stepsDone} steps from ${modelName ?? 'scratch'}`, source: 'current', files, addDense: 0 };
    } else {
      const stored = await loadModel(config.start);
      if (!stored) throw new Error(`the run started from model ${config.start}, which is no longer in the model library; hand off the student as trained instead`);
      model = { name: stored.name, source: 'start', ...startFolder(startOf(stored), config, { ...summary, steps: 0 }) };
    }
    const result = await writeHandoff({
      dataset: info,
      config,
      stepsInBrowser: trainer.stepsDone,
      model,
      wholeCollection,
      read: (table, visit) => forEachChunk(datasetId, table, visit),
      progress: (progress) => this.ctx.emit({ type: 'handoff-progress', progress }),
    });
    return { fileName: result.fileName, zip: result.zip, counts: result.counts, missingPassages: result.missingPassages };
  }
}
