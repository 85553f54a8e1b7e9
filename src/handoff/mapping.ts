/**
 * A studio run as a `sentence-transformers` run: which class trains it, which loss, which trainer arguments. Every
 * run-config field is either carried (and where to) or listed as not carried with the reason, so nothing is lost
 * without a word. Students and losses the library has no counterpart for are refused, saying why.
 *
 * Pure: no tfjs, no storage. `train.py` reads the settings this writes (`run.json` in the handoff zip).
 */
import { accumulationSteps, type RunConfig } from '../config/run-config';
import type { LossName } from '../config/loss-names';
import { STUDENTS, studentOf } from '../model/students/registry';
import type { StudentDescriptor } from '../model/students/descriptor';

export type HandoffKind = 'bi-encoder' | 'cross-encoder';

/** How the library's trainer takes the teacher's scores. */
export type HandoffLoss =
  /** (query, positive, negative) with label = teacher margin; `losses.MarginMSELoss` / `cross_encoder.losses.MarginMSELoss`. */
  | 'margin-mse'
  /** Cross-encoder only: (query, passage) pairs with label = teacher score, both passages of each triple. */
  | 'mse'
  /** Cross-encoder only: (query, [positive, negative]) with labels [1, 0]. */
  | 'ranknet';

export const LOSS_CLASSES: Record<HandoffKind, Partial<Record<HandoffLoss, string>>> = {
  'bi-encoder': { 'margin-mse': 'sentence_transformers.losses.MarginMSELoss' },
  'cross-encoder': {
    'margin-mse': 'sentence_transformers.cross_encoder.losses.MarginMSELoss',
    mse: 'sentence_transformers.cross_encoder.losses.MSELoss',
    ranknet: 'sentence_transformers.cross_encoder.losses.RankNetLoss',
  },
};

/** The trainer arguments and model settings `train.py` applies (snake_case: they go to Python as they are). */
export interface TrainSettings {
  kind: HandoffKind;
  loss: HandoffLoss;
  loss_class: string;
  /** Bi-encoders: the pooling the run used (the model folder is written with it). */
  pooling: 'cls' | 'mean' | null;
  /** Bi-encoders: a new Dense projection to this size, added by train.py (the run had one the checkpoint lacks); 0 none. */
  add_dense: number;
  /** Tokens per text (bi-encoder: both query and passage; cross-encoder: the joined pair), [CLS]/[SEP] counted. */
  max_seq_length: number;
  query_length: number;
  passage_length: number;
  per_device_batch_size_total: number;
  /**
   * Forwards per process before each optimiser step: the run's batch ÷ micro-batch (1 without micro-batches).
   * train.py keeps the global batch: per_device_train_batch_size = batch ÷ (processes × this).
   */
  gradient_accumulation_steps: number;
  learning_rate: number;
  warmup_steps: number;
  lr_scheduler_type: 'constant' | 'constant_with_warmup' | 'linear';
  weight_decay: number;
  max_grad_norm: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  seed: number;
  max_steps: number;
  logging_steps: number;
  save_steps: number;
  standardize_teacher: boolean;
  /** The studio trains without dropout; train.py sets the model's dropout probabilities to this. */
  dropout: number;
}

export type FieldFate = { carried: true; as: string } | { carried: false; why: string };

export class HandoffRefused extends Error {
  override name = 'HandoffRefused';
}

/** The studio's AdamW (train/optimizer.ts ADAMW_DEFAULTS) has these constants; the trainer is told them. */
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
/** A checkpoint this often when the run checkpoints by time ("about once a minute") rather than by steps. */
export const DEFAULT_SAVE_STEPS = 500;

/** The sentence-transformers class a student trains as there, or HandoffRefused with the student's reason. */
export function handoffKindOf(student: StudentDescriptor): HandoffKind {
  if ('kind' in student.handoff) return student.handoff.kind;
  const of = (kind: HandoffKind) => STUDENTS.filter((s) => 'kind' in s.handoff && s.handoff.kind === kind).map((s) => s.name).join(' and ');
  throw new HandoffRefused(`cannot hand this run off: ${student.handoff.refused}. The handoff carries ${of('bi-encoder')} students (as a SentenceTransformer) and ${of('cross-encoder')} students (as a CrossEncoder)`);
}

function kindOf(config: RunConfig): HandoffKind {
  return handoffKindOf(studentOf(config.arch));
}

function lossOf(kind: HandoffKind, loss: LossName): HandoffLoss {
  if (loss === 'margin-mse') return 'margin-mse';
  if (kind === 'cross-encoder' && loss === 'mse') return 'mse';
  if (kind === 'cross-encoder' && loss === 'ranknet') return 'ranknet';
  const why =
    kind === 'bi-encoder'
      ? `sentence-transformers trains a bi-encoder on teacher scores only through MarginMSELoss (its MSELoss regresses embeddings, not scores, and it has no RankNet for bi-encoders)`
      : `sentence-transformers' RankNetLoss has no weighting by the size of the teacher's margin`;
  throw new HandoffRefused(`cannot hand this run off: its loss ${loss} has no counterpart there — ${why}. Choose margin-mse${kind === 'cross-encoder' ? ', mse or ranknet' : ''} for a run to hand off`);
}

function schedulerOf(config: RunConfig): TrainSettings['lr_scheduler_type'] {
  if (config.schedule === 'linear') return 'linear';
  return config.warmupSteps > 0 ? 'constant_with_warmup' : 'constant';
}

/** The settings train.py applies, or a HandoffRefused naming what cannot go. */
export function trainSettings(config: RunConfig, addDense: number): TrainSettings {
  if (config.start === 'scratch') {
    throw new HandoffRefused('cannot hand this run off: it starts from random weights on the studio\'s own transformer (pre-norm blocks, ReLU), which sentence-transformers cannot load. Start the dot or cat run from a pretrained model (Model: import one, then choose it as the start) to hand it off');
  }
  const kind = kindOf(config);
  const loss = lossOf(kind, config.loss);
  const bi = kind === 'bi-encoder';
  return {
    kind,
    loss,
    loss_class: LOSS_CLASSES[kind][loss] as string,
    pooling: bi ? config.pooling : null,
    add_dense: bi ? addDense : 0,
    // As the Hugging Face export writes them: the longest text with [CLS] and [SEP]; the pair with [CLS] q [SEP] p [SEP].
    max_seq_length: bi ? Math.max(config.queryLength, config.passageLength) + 2 : config.queryLength + config.passageLength + 3,
    query_length: config.queryLength,
    passage_length: config.passageLength,
    per_device_batch_size_total: config.batchSize,
    gradient_accumulation_steps: accumulationSteps(config),
    learning_rate: config.learningRate,
    warmup_steps: config.warmupSteps,
    lr_scheduler_type: schedulerOf(config),
    weight_decay: config.weightDecay,
    max_grad_norm: config.clipNorm,
    adam_beta1: ADAM.beta1,
    adam_beta2: ADAM.beta2,
    adam_epsilon: ADAM.epsilon,
    seed: config.seed,
    max_steps: config.steps,
    logging_steps: config.logEvery,
    save_steps: config.checkpointEvery > 0 ? config.checkpointEvery : DEFAULT_SAVE_STEPS,
    standardize_teacher: config.standardizeTeacher,
    dropout: 0,
  };
}

const BROWSER_ONLY = 'the browser only (the charts and the studio\'s own evaluation)';

/** What becomes of each run-config field in the handoff; a Record, so a new field does not compile until it is placed. */
export function fieldFates(config: RunConfig): Record<keyof RunConfig, FieldFate> {
  const s = (as: string): FieldFate => ({ carried: true, as });
  const no = (why: string): FieldFate => ({ carried: false, why });
  const fromCheckpoint = no('given by the model folder (the checkpoint\'s own size)');
  const student = studentOf(config.arch);
  // A refused student has no fates that matter; its fields are placed as a bi-encoder's would be.
  const cross = 'kind' in student.handoff && student.handoff.kind === 'cross-encoder';
  const reads = (field: 'pooling' | 'denseDim') => (student.fields as readonly string[]).includes(field);
  return {
    arch: s(cross ? 'CrossEncoder' : 'SentenceTransformer'),
    start: s('model/ (the checkpoint the run began from, or the student as trained in the browser)'),
    denseDim: reads('denseDim') ? s('a sentence-transformers Dense module (add_dense, or the exported one)') : no(`${config.arch} students have no projection`),
    seed: s('seed and data_seed'),
    steps: s('max_steps (--max-steps overrides)'),
    batchSize: s('the global batch: per_device_train_batch_size = batch size / (processes × gradient_accumulation_steps)'),
    microBatch: s('gradient_accumulation_steps = batch size / micro-batch (0: 1, the whole batch at once)'),
    learningRate: s('learning_rate'),
    warmupSteps: s('warmup_steps'),
    schedule: s('lr_scheduler_type (constant, constant_with_warmup or linear)'),
    weightDecay: s('weight_decay (AdamW, biases and LayerNorm left out as in the studio)'),
    clipNorm: s('max_grad_norm (0: no clipping)'),
    queryLength:
      cross
        ? s('max_length of the joined pair (query + passage + 3), which the tokenizer cuts longest-first as the studio does')
        : s('max_seq_length = longer of query and passage + 2: sentence-transformers truncates queries and passages at one length, so queries longer than the studio\'s query length are kept longer'),
    passageLength: cross ? s('max_length of the joined pair (query + passage + 3), cut longest-first as in the studio') : s('max_seq_length (longer of query and passage + 2)'),
    hidden: fromCheckpoint,
    heads: fromCheckpoint,
    ffn: fromCheckpoint,
    layers: fromCheckpoint,
    pooling: reads('pooling') ? s('the Pooling module (1_Pooling/config.json)') : no('a cross-encoder reads [CLS] through its head'),
    compressDim: no('used by the studio\'s own students only (not dot or cat)'),
    jointLayers: no('used by PreTTR only'),
    logEvery: s('logging_steps (the loss curve in trainer_state.json)'),
    probeEvery: no(BROWSER_ONLY),
    probeSize: no(BROWSER_ONLY),
    checkpointEvery: config.checkpointEvery > 0 ? s('save_steps') : no(`the studio saves about once a minute; train.py saves every ${DEFAULT_SAVE_STEPS} steps (--save-steps)`),
    evalEvery: no('train.py does not evaluate during training; import its output in the studio to evaluate it beside the browser run'),
    loss: s('the loss class (loss_class)'),
    standardizeTeacher: s('standardize_teacher (train.py z-scores the teacher\'s scores over the triples first)'),
    backend: no('WebGPU/WebGL/CPU in the browser; PyTorch picks CUDA when there is a GPU'),
    kernels: no('the studio\'s WebGPU kernels; PyTorch uses its own'),
  };
}

/** Differences that remain although the field is carried: said in the README, never hidden. */
export function approximations(config: RunConfig, settings: TrainSettings): string[] {
  const out = [
    'Triples are read in another order: datasets shuffles them with the run\'s seed through a shuffle buffer, the studio shuffles every epoch in full.',
    `Every triple is trained on; the studio kept the triples of held-out queries (${config.probeSize} for its probe histograms) out of training.`,
    'Weights new to the run (a cross-encoder head, a Dense projection) are initialised by PyTorch, not by the studio\'s generator.',
  ];
  if (settings.kind === 'bi-encoder' && config.queryLength < config.passageLength) out.push(`Queries are cut at ${settings.max_seq_length} tokens (the studio cut them at ${config.queryLength + 2}).`);
  if (settings.loss === 'mse') out.push('MSE: each triple becomes two (query, passage, score) rows, shuffled apart; a batch holds twice the run\'s batch size in pairs, the same texts per step.');
  if (settings.loss === 'ranknet') out.push('RankNet: RankNetLoss over [positive, negative] with labels [1, 0]; its logarithm is natural (reduction_log="natural") as in the studio.');
  return out;
}
