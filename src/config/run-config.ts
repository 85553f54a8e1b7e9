/** One typed, serialisable run configuration: everything that fixes a run, seed included. */
import { LOSSES, type LossName } from './loss-names';
import { ARCHS, studentOf, type Arch } from '../model/students/registry';
import { POOLINGS, type Pooling, type StudentSizes } from '../model/students/config';
import { batchLengths } from '../model/students/descriptor';
import { KERNEL_CHOICES, type KernelChoice } from '../model/kernels/choice';

export { POOLINGS, type Pooling };
/** After warm-up: the learning rate stays, or decays linearly to 0 at the last step (train/schedule.ts). */
export const SCHEDULES = ['constant', 'linear'] as const;
export type Schedule = (typeof SCHEDULES)[number];
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'cpu';
export const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'webgl', 'cpu'];
/** The backend a run got (`auto` resolved). */
export type TfBackend = Exclude<BackendChoice, 'auto'>;

/** Everything that fixes a run; the student's sizes and lengths are the model layer's (`StudentSizes`). */
export interface RunConfig extends StudentSizes {
  /** The student architecture. */
  arch: Arch;
  /** Where the student starts: `scratch` (random weights), or the id of a model in the model library. */
  start: string;
  /** dot on a checkpoint: project the pooled vector to this size with a new linear layer (0: no projection). */
  denseDim: number;
  seed: number;
  /** Training steps before the run ends by itself. */
  steps: number;
  batchSize: number;
  /**
   * Triples run through the student at once; gradients accumulate over batchSize ÷ microBatch micro-batches before
   * each optimiser step (the same update as the whole batch at once). 0: the whole batch at once.
   */
  microBatch: number;
  /** The peak learning rate (after warm-up). */
  learningRate: number;
  /** Steps of linear warm-up from 0 to `learningRate`. */
  warmupSteps: number;
  /** After warm-up: constant, or linear decay to 0 at the last step. */
  schedule: Schedule;
  /** AdamW's decoupled weight decay on matrices and embeddings (0: plain Adam). */
  weightDecay: number;
  /** Gradients are clipped to this global L2 norm; 0 turns clipping off. */
  clipNorm: number;
  /** Losses are read back from the GPU once per this many steps (each read is a GPU→CPU sync). */
  logEvery: number;
  /** The probe set is re-scored every this many steps for the histograms. */
  probeEvery: number;
  /** Triples in the fixed probe set, taken from held-out queries. */
  probeSize: number;
  /** A checkpoint every this many steps (and at each pause); 0 = about once a minute. */
  checkpointEvery: number;
  /** Every this many steps, re-rank the dataset's dev queries (MRR@10, nDCG@10); 0 turns it off. */
  evalEvery: number;
  /** The training objective; Margin-MSE unless chosen otherwise. */
  loss: LossName;
  /** Z-score the teacher's scores over the training triples first (off: Margin-MSE does not need it). */
  standardizeTeacher: boolean;
  backend: BackendChoice;
  /**
   * On WebGPU, the studio's fused kernels (linear layers, LayerNorm, attention, GELU, the embedding gradient, AdamW)
   * or tfjs's stock ops; other backends always run the stock ops. Both give the same numbers to float rounding.
   */
  kernels: KernelChoice;
}

export const DEFAULT_RUN_CONFIG: RunConfig = {
  arch: 'dot',
  start: 'scratch',
  denseDim: 0,
  seed: 42,
  steps: 1000,
  batchSize: 32,
  microBatch: 0,
  learningRate: 2e-3,
  warmupSteps: 0,
  schedule: 'constant',
  weightDecay: 0,
  clipNorm: 0,
  queryLength: 12,
  passageLength: 48,
  hidden: 64,
  heads: 2,
  ffn: 128,
  layers: 1,
  pooling: 'mean',
  compressDim: 32,
  jointLayers: 1,
  logEvery: 5,
  probeEvery: 20,
  probeSize: 192,
  evalEvery: 0,
  checkpointEvery: 0,
  loss: 'margin-mse',
  standardizeTeacher: false,
  backend: 'auto',
  kernels: 'fused',
};

const LIMITS: Record<Exclude<keyof RunConfig, 'arch' | 'start' | 'pooling' | 'backend' | 'learningRate' | 'loss' | 'standardizeTeacher' | 'schedule' | 'weightDecay' | 'clipNorm' | 'kernels'>, [number, number]> = {
  seed: [0, 2 ** 31 - 1],
  steps: [1, 10_000_000],
  warmupSteps: [0, 10_000_000],
  denseDim: [0, 4096],
  batchSize: [1, 4096],
  microBatch: [0, 4096],
  queryLength: [1, 512],
  passageLength: [1, 512],
  hidden: [2, 2048],
  heads: [1, 64],
  ffn: [1, 8192],
  layers: [0, 24],
  compressDim: [1, 1024],
  jointLayers: [1, 24],
  logEvery: [1, 10_000],
  probeEvery: [1, 1_000_000],
  probeSize: [1, 100_000],
  evalEvery: [0, 1_000_000],
  checkpointEvery: [0, 1_000_000],
};

/** Fills missing fields with defaults and rejects anything out of range, naming the field. */
export function resolveRunConfig(partial: Partial<RunConfig>): RunConfig {
  const cfg: RunConfig = { ...DEFAULT_RUN_CONFIG, ...partial };
  for (const [key, [lo, hi]] of Object.entries(LIMITS) as [keyof typeof LIMITS, [number, number]][]) {
    const v = cfg[key];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`run config: ${key} must be an integer in [${lo}, ${hi}], got ${v}`);
  }
  if (!(cfg.learningRate > 0 && cfg.learningRate < 1)) throw new Error(`run config: learningRate must be in (0, 1), got ${cfg.learningRate}`);
  if (cfg.warmupSteps > cfg.steps) throw new Error(`run config: warmupSteps (${cfg.warmupSteps}) must not exceed steps (${cfg.steps})`);
  if (!SCHEDULES.includes(cfg.schedule)) throw new Error(`run config: schedule must be one of ${SCHEDULES.join(', ')}, got ${String(cfg.schedule)}`);
  if (!(typeof cfg.weightDecay === 'number' && cfg.weightDecay >= 0 && cfg.weightDecay < 1)) throw new Error(`run config: weightDecay must be in [0, 1), got ${cfg.weightDecay}`);
  if (!(typeof cfg.clipNorm === 'number' && cfg.clipNorm >= 0 && Number.isFinite(cfg.clipNorm))) throw new Error(`run config: clipNorm must be 0 (off) or a positive number, got ${cfg.clipNorm}`);
  if (typeof cfg.start !== 'string' || cfg.start === '') throw new Error(`run config: start must be "scratch" or a model id, got ${String(cfg.start)}`);
  if (cfg.microBatch > 0 && cfg.batchSize % cfg.microBatch !== 0) throw new Error(`run config: microBatch (${cfg.microBatch}) must divide batchSize (${cfg.batchSize}); 0 runs the whole batch at once`);
  if (!ARCHS.includes(cfg.arch)) throw new Error(`run config: arch must be one of ${ARCHS.join(', ')}, got ${String(cfg.arch)}`);
  if (!POOLINGS.includes(cfg.pooling)) throw new Error(`run config: pooling must be one of ${POOLINGS.join(', ')}, got ${String(cfg.pooling)}`);
  const unfit = studentOf(cfg.arch).check(cfg);
  if (unfit) throw new Error(`run config: ${unfit}`);
  if (!LOSSES.includes(cfg.loss)) throw new Error(`run config: loss must be one of ${LOSSES.join(', ')}, got ${String(cfg.loss)}`);
  if (typeof cfg.standardizeTeacher !== 'boolean') throw new Error(`run config: standardizeTeacher must be true or false, got ${String(cfg.standardizeTeacher)}`);
  if (!BACKENDS.includes(cfg.backend)) throw new Error(`run config: backend must be one of ${BACKENDS.join(', ')}, got ${String(cfg.backend)}`);
  if (!KERNEL_CHOICES.includes(cfg.kernels)) throw new Error(`run config: kernels must be one of ${KERNEL_CHOICES.join(', ')}, got ${String(cfg.kernels)}`);
  // On a checkpoint, hidden size and heads are the checkpoint's (checked when it is read).
  if (cfg.start === 'scratch' && cfg.hidden % cfg.heads !== 0) throw new Error(`run config: hidden (${cfg.hidden}) must be divisible by heads (${cfg.heads})`);
  return cfg;
}

/** Triples per micro-batch: the whole batch when microBatch is 0. */
export function microBatchOf(cfg: Pick<RunConfig, 'batchSize' | 'microBatch'>): number {
  return cfg.microBatch > 0 ? cfg.microBatch : cfg.batchSize;
}

/**
 * The lengths and forward bound that evaluation, the dev check and "try" use for this run's student: a scoring
 * forward of at most two pairs per triple of a micro-batch (a training micro-batch of m triples scores 2m (query,
 * passage) pairs, forward and backward), and an encoding forward of at most as many texts. eval/ caps both at its
 * own defaults (64 pairs, 128 texts), so the default batch of 32 evaluates as it always has.
 */
export function evalLengthsOf(cfg: Pick<RunConfig, 'arch' | 'batchSize' | 'microBatch' | 'queryLength' | 'passageLength'>): { queryLength: number; passageLength: number; forwardBatch: number } {
  return { ...batchLengthsOf(cfg), forwardBatch: 2 * microBatchOf(cfg) };
}

/**
 * The tokens per side that training batches, the probe, evaluation and "try" give this run's student: its query
 * and passage lengths, or for a cat student the whole pair's length on both sides, which it cuts longest-first
 * as `transformers` does (model/students/descriptor.ts `batchLengths`).
 */
export function batchLengthsOf(cfg: Pick<RunConfig, 'arch' | 'queryLength' | 'passageLength'>): { queryLength: number; passageLength: number } {
  return batchLengths(studentOf(cfg.arch), cfg);
}

/** Micro-batches per optimiser step. */
export function accumulationSteps(cfg: Pick<RunConfig, 'batchSize' | 'microBatch'>): number {
  return cfg.batchSize / microBatchOf(cfg);
}
