/** Short training runs on the demo data for the kernel tests and the benchmarks: losses, and triples per second. */
import * as tf from '../model/tf';
import { Trainer } from '../train/trainer.core';
import { tablesAsTrainingData } from '../train/stored-data';
import { batchLengthsOf, resolveRunConfig, type RunConfig } from '../config/run-config';
import { selectBackend } from '../train/backend';
import { fusedDispatches, type KernelChoice } from '../model/kernels';
import { demoTables } from './demo-tables';
import type { TokenizerChoice } from '../text/tokenizers';
import { tokenBatch, type TokenBatch } from '../model/layers/transformer';
import { isVectorStudent } from '../model/students/student';

/**
 * The demo data tokenized with `tokenizer` (the studio's default, hashed words of 8,192 buckets, unless given): the
 * tokenizer fixes the student's vocabulary, so BERT-shaped students take 'bert-base-uncased' (30,522). `vocabSize`
 * instead gives the student a larger token table than the tokenizer's (its ids all lie below, so every batch is
 * valid): the real-width runs train BERT's 30,522 rows, with the embedding gradient and AdamW over all of them.
 */
export interface LabData {
  tokenizer?: TokenizerChoice;
  vocabSize?: number;
}

async function setUp(partial: Partial<RunConfig>, steps: number, { tokenizer: choice, vocabSize }: LabData = {}): Promise<{ trainer: Trainer; vocabSize: number }> {
  const config = resolveRunConfig({ probeSize: 8, ...partial, steps: Math.max(steps, 1) });
  const { backend } = await selectBackend(config.backend);
  if (config.backend !== 'auto' && backend !== config.backend) throw new Error(`asked for ${config.backend}, got ${backend}`);
  const { tables, tokenizer } = await demoTables(choice);
  if (vocabSize !== undefined && vocabSize < tokenizer.vocabSize) throw new Error(`vocabSize ${vocabSize} is below the demo tokenizer's ${tokenizer.vocabSize} ids`);
  const info = { ...tokenizer, vocabSize: vocabSize ?? tokenizer.vocabSize };
  return { trainer: new Trainer(await tablesAsTrainingData(tables, config.standardizeTeacher), config, info), vocabSize: info.vocabSize };
}

export async function trainerFor(partial: Partial<RunConfig>, steps: number, data: LabData = {}): Promise<Trainer> {
  return (await setUp(partial, steps, data)).trainer;
}

/**
 * The loss of every step of the same run (same seed, same batches) on tfjs's CPU backend and on WebGPU with the
 * fused kernels: the CPU backend is the reference that shares no code path with either WebGPU choice.
 */
export async function lossesOnCpuAndWebGpu(partial: Partial<RunConfig>, steps: number, vocabSize?: number): Promise<{ cpu: number[]; webgpu: number[]; fusedPrograms: number; parameters: number; seconds: { cpu: number; webgpu: number } }> {
  const losses = { cpu: [] as number[], webgpu: [] as number[] };
  const seconds = { cpu: 0, webgpu: 0 };
  let fusedPrograms = 0;
  let parameters = 0;
  for (const backend of ['cpu', 'webgpu'] as const) {
    const started = performance.now();
    const trainer = await trainerFor({ ...partial, backend, kernels: backend === 'cpu' ? 'stock' : 'fused' }, steps, vocabSize === undefined ? {} : { vocabSize });
    const before = fusedDispatches();
    try {
      parameters = trainer.model.parameterCount();
      for (let i = 0; i < steps; i++) {
        const loss = trainer.step();
        // GPU→CPU sync: one read per step, the value compared.
        losses[backend].push((await loss.data())[0] as number);
        loss.dispose();
      }
      if (backend === 'webgpu') fusedPrograms = fusedDispatches() - before;
    } finally {
      trainer.dispose();
    }
    seconds[backend] = (performance.now() - started) / 1000;
  }
  return { ...losses, fusedPrograms, parameters, seconds };
}

/** One step with its loss read back (shader compilation included, on a first step); returns its milliseconds. */
export async function timedStep(trainer: Trainer): Promise<number> {
  const started = performance.now();
  const loss = trainer.step();
  await loss.data();
  loss.dispose();
  return performance.now() - started;
}

/** The loss of every step of the same run (same seed, same batches) under each kernel choice. */
export async function lossesBothWays(partial: Partial<RunConfig>, steps: number): Promise<Record<KernelChoice, number[]> & { backend: string; fusedPrograms: Record<KernelChoice, number> }> {
  const out: Record<KernelChoice, number[]> = { stock: [], fused: [] };
  const fusedPrograms: Record<KernelChoice, number> = { stock: 0, fused: 0 };
  for (const kernels of ['stock', 'fused'] as const) {
    const trainer = await trainerFor({ ...partial, kernels }, steps);
    const before = fusedDispatches();
    try {
      for (let i = 0; i < steps; i++) {
        const loss = trainer.step();
        out[kernels].push((await loss.data())[0] as number);
        loss.dispose();
      }
      fusedPrograms[kernels] = fusedDispatches() - before;
    } finally {
      trainer.dispose();
    }
  }
  return { ...out, backend: tf.getBackend(), fusedPrograms };
}

export interface Throughput {
  backend: string;
  arch: string;
  kernels: KernelChoice;
  parameters: number;
  vocabSize: number;
  batchSize: number;
  /** Timed steps only: after `warmup` steps (shader compilation), the losses read back once at the end. */
  steps: number;
  seconds: number;
  triplesPerSecond: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

export async function throughput(partial: Partial<RunConfig>, { warmup = 2, steps = 5, tokenizer = undefined as TokenizerChoice | undefined } = {}): Promise<Throughput> {
  const { trainer, vocabSize } = await setUp(partial, warmup + steps, { tokenizer });
  try {
    for (let i = 0; i < warmup; i++) await timedStep(trainer);
    const tensorsBefore = tf.memory().numTensors;
    const started = performance.now();
    const losses: tf.Scalar[] = [];
    for (let i = 0; i < steps; i++) losses.push(trainer.step());
    const stacked = tf.stack(losses);
    await stacked.data();
    const seconds = (performance.now() - started) / 1000;
    tf.dispose([stacked, ...losses]);
    const c = trainer.config;
    return {
      backend: tf.getBackend(),
      arch: c.arch,
      kernels: c.kernels,
      parameters: trainer.model.parameterCount(),
      vocabSize,
      batchSize: c.batchSize,
      steps,
      seconds,
      triplesPerSecond: (steps * c.batchSize) / seconds,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
    };
  } finally {
    trainer.dispose();
  }
}

export interface InferenceRate {
  arch: string;
  kernels: KernelChoice;
  /** Re-ranking: (query, passage) pairs scored per second, in batches of `batch`. */
  pairsPerSecond: number;
  /** Dense retrieval's collection encoding: passages turned into vectors per second (dot only). */
  passagesPerSecond: number | null;
  batch: number;
}

/** Evaluation's two costs with the student's forward pass (no gradients): scoring pairs and encoding passages. */
export async function inferenceRate(partial: Partial<RunConfig>, { batch = 64, reps = 4, tokenizer = undefined as TokenizerChoice | undefined } = {}): Promise<InferenceRate> {
  const { trainer } = await setUp(partial, 1, { tokenizer });
  // The sides as training and evaluation carry them for this student (a cat student's whole pair on each).
  const c = batchLengthsOf(trainer.config);
  const indices = Array.from(trainer.trainIndices.subarray(0, batch));
  const b = trainer.data.batch(indices, c.queryLength, c.passageLength);
  const query = tokenBatch(b.query, b.size, c.queryLength);
  const passage = tokenBatch(b.pos, b.size, c.passageLength);
  const model = trainer.model;
  const timed = async (f: () => tf.Tensor): Promise<number> => {
    // One untimed round compiles the shaders.
    const first = tf.tidy(f);
    await first.data();
    first.dispose();
    const started = performance.now();
    for (let r = 0; r < reps; r++) {
      const out = tf.tidy(f);
      await out.data();
      out.dispose();
    }
    return (reps * b.size) / ((performance.now() - started) / 1000);
  };
  const dispose = (t: TokenBatch) => tf.dispose([t.ids, t.mask]);
  try {
    const pairsPerSecond = await timed(() => model.scorePairs(query, passage));
    const passagesPerSecond = isVectorStudent(model) ? await timed(() => model.embed(passage)) : null;
    return { arch: trainer.config.arch, kernels: trainer.config.kernels, pairsPerSecond, passagesPerSecond, batch: b.size };
  } finally {
    dispose(query);
    dispose(passage);
    trainer.dispose();
  }
}

export interface SoakSample {
  step: number;
  tensors: number;
  /** tfjs's count of bytes in GPU buffers (WebGPU), or of all its data elsewhere. */
  bytes: number;
}

/** Trains `steps` steps and samples tfjs's tensor count and bytes every `every` steps, to show they stay flat. */
export async function soak(partial: Partial<RunConfig>, steps: number, every = 100): Promise<{ samples: SoakSample[]; seconds: number }> {
  const trainer = await trainerFor(partial, steps);
  const samples: SoakSample[] = [];
  const sample = (step: number) => {
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    samples.push({ step, tensors: m.numTensors, bytes: m.numBytesInGPU ?? m.numBytes });
  };
  const started = performance.now();
  try {
    for (let s = 1; s <= steps; s++) {
      // A read every step keeps the GPU queue short, as the studio's loop does every few steps.
      await timedStep(trainer);
      if (s === 1 || s % every === 0) sample(s);
    }
  } finally {
    trainer.dispose();
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}
