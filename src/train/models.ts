/**
 * Pretrained models between the folder a person chose, the model library, and a run: reading and checking a folder
 * (model/pretrained), storing it (data/store/models), turning a stored model back into a run's starting point, and
 * the student's sizes on it.
 */
import type { HfModelDescription } from '../export/hf-layout';
import type { FolderBlob, PretrainedLayout } from '../model/pretrained/folder';
import { openPretrainedFolder } from '../model/pretrained/open';
import { checkLengths } from '../model/pretrained/sequences';
import { PretrainedFolderError } from '../model/pretrained/config';
import type { StudentConfig } from '../model/students/config';
import { sizesOnCheckpoint } from '../model/students/descriptor';
import { studentOf } from '../model/students/registry';
import { deleteModel, listModels, loadModel, storeModel, type ModelInfo, type NamedWeight, type StoredModel } from '../data/store/models';
import { parseVocabText } from '../text/wordpiece';
import { vocabTokenizerId, type TokenizerInfo } from '../text/tokenizers';
import { newId } from '../util/ids';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../config/run-config';
import { studentConfig } from './student-config';
import { errorMessage } from '../util/errors';

export { deleteModel, listModels, type ModelInfo };

/** The start a run config names: `scratch`, or a stored model's id. */
export const SCRATCH = 'scratch';

function parameterCount(model: PretrainedLayout): number {
  let n = 0;
  for (const w of model.weights.values()) n += w.shape.reduce((a, b) => a * b, 1);
  if (model.dense) n += model.dense.weight.data.length + (model.dense.bias?.data.length ?? 0);
  return n;
}

/** The checkpoint's weights one at a time, each read from its file (half precision widened) as it is wanted. */
async function* weightsOf(model: PretrainedLayout): AsyncGenerator<NamedWeight> {
  for (const [name, ref] of model.weights) yield { name, shape: ref.shape, data: ref.data ?? (await ref.read()) };
}

/**
 * Reads a chosen folder, checks what the studio needs beyond what the reader checks (a vocabulary it tokenizes the
 * same way), and stores it in the library tensor by tensor; nothing is stored when anything is refused.
 */
export async function importModelFolder(files: readonly FolderBlob[], name: string): Promise<ModelInfo> {
  const model = await openPretrainedFolder(files);
  if (!model.lowercase) {
    throw new PretrainedFolderError('tokenizer_config.json: do_lower_case is false (a cased model); the studio tokenizes BERT WordPiece lower-cased only, so its token ids would not be the ones this model was trained on');
  }
  // The studio's WordPiece wants [PAD] at id 0 (padding is id 0 everywhere) and the four special tokens.
  try {
    parseVocabText(model.vocab.join('\n'), 'vocab.txt');
  } catch (err) {
    throw new PretrainedFolderError(errorMessage(err));
  }
  const parameters = parameterCount(model);
  const info: ModelInfo = {
    id: newId('model'),
    name,
    addedAt: Date.now(),
    bytes: parameters * 4,
    type: model.type,
    kind: model.kind,
    architecture: model.architecture,
    dims: model.dims,
    parameters,
    pooling: model.pooling,
    normalize: model.normalize,
    denseOut: model.dense ? (model.dense.weight.shape[0] as number) : null,
    lowercase: model.lowercase,
    maxSeqLength: model.maxSeqLength,
    tokenizer: vocabTokenizerId(model.vocab),
    storedAs: model.storedAs,
  };
  await storeModel(info, { vocab: [...model.vocab], dense: model.dense, weights: weightsOf(model) });
  return info;
}

/** A stored model as a run's starting point. */
export function startOf(model: StoredModel): HfModelDescription {
  return {
    type: model.type,
    kind: model.kind,
    dims: model.dims,
    weights: new Map(model.weights.map((w) => [w.name, { shape: w.shape, data: w.data }])),
    pooling: model.pooling,
    dense: model.dense,
    normalize: model.normalize,
    vocab: model.vocab,
    lowercase: model.lowercase,
    maxSeqLength: model.maxSeqLength,
  };
}

/** The stored model a run config starts from, checked against the dataset's tokens and the configured lengths. */
export async function startFor(config: RunConfig, dataset: { name: string; tokenizer: string }): Promise<{ start: HfModelDescription; model: StoredModel } | null> {
  if (config.start === SCRATCH) return null;
  const model = await loadModel(config.start);
  if (!model) throw new Error(`the run starts from model ${config.start}, which is no longer in the model library`);
  if (model.tokenizer !== dataset.tokenizer) {
    throw new Error(`the dataset "${dataset.name}" holds ${dataset.tokenizer} token ids, but ${model.name} reads ${model.tokenizer}: tokenize the dataset again with the model's vocabulary (Tokenize for this model) first`);
  }
  checkLengths(model, config.queryLength, config.passageLength, studentOf(config.arch));
  return { start: startOf(model), model };
}

/**
 * The student's sizes: from the run config, and on a checkpoint those its descriptor takes from the checkpoint
 * (`fromCheckpoint`: the one list the form's "from the model" fields read too).
 */
export function studentConfigFor(config: RunConfig, tokenizer: TokenizerInfo, start?: Pick<HfModelDescription, 'dims'> | null): StudentConfig {
  const base = studentConfig(config, tokenizer);
  return start ? sizesOnCheckpoint(studentOf(config.arch), base, start.dims) : base;
}

/** The paper's students were fine-tuned at learning rates around 7e-6 (DistilBERT, Margin-MSE, batch 32). */
export const FINE_TUNING_LEARNING_RATE = 7e-6;

/**
 * Settings that suit fine-tuning a pretrained checkpoint, applied when a person picks one as the start (and shown
 * then): a small peak learning rate reached over the first tenth of the steps, linear decay, AdamW's decay 0.01
 * and gradients clipped at norm 1, as BERT fine-tuning does; the dot student pools as the checkpoint does. The
 * probe set shrinks to 64 triples scored every 50 steps: at a checkpoint's size each scoring is a real forward
 * pass (the default 192 at batch 8 is 8 steps of compute), and fine-tuning runs are long.
 */
export function fineTuningSettings(model: Pick<ModelInfo, 'id' | 'pooling'>, config: Pick<RunConfig, 'steps'>): Partial<RunConfig> {
  return {
    start: model.id,
    learningRate: FINE_TUNING_LEARNING_RATE,
    warmupSteps: Math.round(config.steps / 10),
    schedule: 'linear',
    weightDecay: 0.01,
    clipNorm: 1,
    pooling: model.pooling,
    probeSize: FINE_TUNING_PROBE.probeSize,
    probeEvery: FINE_TUNING_PROBE.probeEvery,
  };
}

/** The probe set of a fine-tuning run (see fineTuningSettings). */
export const FINE_TUNING_PROBE = { probeSize: 64, probeEvery: 50 } as const;

/** Back to random weights: the studio's defaults for training from scratch. */
export function fromScratchSettings(): Partial<RunConfig> {
  const { start, learningRate, warmupSteps, schedule, weightDecay, clipNorm, probeSize, probeEvery } = DEFAULT_RUN_CONFIG;
  return { start, learningRate, warmupSteps, schedule, weightDecay, clipNorm, probeSize, probeEvery };
}

export type { FolderBlob };
