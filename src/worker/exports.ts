/**
 * The current student written out: its weights with what they mean (for the page's export formats), the run's whole
 * state (a project file), and a Hugging Face folder in a zip. A paused run can be exported; a running one cannot.
 */
import { getDataset } from '../data/store/catalog';
import { describeProvenance } from '../data/provenance';
import { huggingFaceFolder, zipFolder, type EvaluationRow, type TrainingSummary } from '../export/hf';
import { webFolder } from '../export/web';
import { studentMetadata, type ExportedWeights } from '../export/metadata';
import type { NamedTensor } from '../export/safetensors';
import { vocabularyHash } from '../text/tokenizers';
import { huggingFaceDescription } from '../train/hf-export';
import type { Project } from '../train/project';
import type { Trainer } from '../train/trainer.core';
import type { WorkerContext } from './prepare';

const NO_STUDENT = 'no student has been trained since the page was opened';

/** What the page adds to an export's README: the teacher files and the evaluation's rows. */
type ExportSummary = { teacherFiles: string[]; evaluation: EvaluationRow[] };

/** The zip's name and its folder's: student, start, steps (`suffix` tells the exports apart). */
function folderStem(trainer: Trainer, model: string | null, suffix: string): string {
  return `${trainer.config.arch}-${(model ?? 'student').replace(/[^\w.-]+/g, '_')}-step${trainer.stepsDone}${suffix}`;
}

function trainingSummary(trainer: Trainer, model: string | null, summary: ExportSummary, teacherMade?: string): TrainingSummary {
  const c = trainer.config;
  return {
    baseModel: model,
    teacherFiles: summary.teacherFiles,
    ...(teacherMade ? { teacherMade } : {}),
    loss: c.loss,
    steps: trainer.stepsDone,
    learningRate: c.learningRate,
    batchSize: c.batchSize,
    queryLength: c.queryLength,
    passageLength: c.passageLength,
    evaluation: summary.evaluation,
    date: new Date().toISOString().slice(0, 10),
  };
}

/** How the student's dataset's teacher triples were made, when the studio made them. */
async function teacherMade(datasetId: string): Promise<string | undefined> {
  const p = (await getDataset(datasetId))?.provenance;
  return p ? describeProvenance(p) : undefined;
}

export class ExportService {
  constructor(private readonly ctx: WorkerContext) {}

  /** The current student's weights, read back from the device, with what they mean. */
  async exportWeights(): Promise<ExportedWeights> {
    const { trainer, tokenizer, vocab } = this.ctx.holder.use({ doing: 'export', none: NO_STUDENT });
    const tensors: NamedTensor[] = [];
    // GPU→CPU sync: once per weight, only when exporting.
    for (const [name, v] of trainer.model.params.vars) tensors.push({ name, dtype: 'F32', shape: v.shape.slice(), data: Float32Array.from(await v.data()) });
    const metadata = studentMetadata({
      arch: trainer.config.arch,
      dimensions: trainer.model.config,
      tokenizer,
      vocabulary: await vocabularyHash(tokenizer, vocab),
      parameters: trainer.model.parameterCount(),
      steps: trainer.stepsDone,
      run: trainer.config,
    });
    return { tensors, metadata };
  }

  /** The current run's whole state, for a project file. */
  async exportProject(): Promise<Project> {
    const { trainer, tokenizer, history } = this.ctx.holder.use({ doing: 'save the project', none: 'no run has been trained since the page was opened' });
    if (trainer.stepsDone !== history.length) throw new Error('this student was loaded from a weights file, without its training state; a project file needs a run trained in this browser');
    return { snapshot: await trainer.snapshot(), losses: Float32Array.from(history), tokenizer };
  }

  /** The student as a Hugging Face folder in a zip, with a README saying how it was trained. */
  async exportHuggingFace(summary: ExportSummary): Promise<{ fileName: string; bytes: Uint8Array }> {
    const { trainer, model, datasetId } = this.ctx.holder.use({ doing: 'export', none: NO_STUDENT });
    const stem = folderStem(trainer, model, '');
    const files = huggingFaceFolder(await huggingFaceDescription(trainer.model), trainingSummary(trainer, model, summary, await teacherMade(datasetId)));
    return { fileName: `${stem}.zip`, bytes: zipFolder(files, stem) };
  }

  /** The student as a transformers.js folder in a zip: ONNX (float32 and int8), the tokenizer, a README with code. */
  async exportWeb(summary: ExportSummary): Promise<{ fileName: string; bytes: Uint8Array }> {
    const { trainer, model, datasetId } = this.ctx.holder.use({ doing: 'export', none: NO_STUDENT });
    const stem = folderStem(trainer, model, '-web');
    const description = await huggingFaceDescription(trainer.model, 'a web page (transformers.js)');
    const c = trainer.config;
    const files = webFolder(description, stem, trainingSummary(trainer, model, summary, await teacherMade(datasetId)), { queryLength: c.queryLength, passageLength: c.passageLength });
    return { fileName: `${stem}.zip`, bytes: zipFolder(files, stem) };
  }
}
