/**
 * The training work: a student, its optimiser, the data, and a loop that can be paused and stopped.
 * No DOM and no worker API here; the worker wires this to messages, tests call it directly.
 */
import * as tf from '../model/tf';
import { createStudent } from '../model/students';
import { kernelsFor, readCopy } from '../model/kernels';
import type { Student } from '../model/students/student';
import { SCRATCH, studentConfigFor } from './models';
import type { HfModelDescription } from '../export/hf-layout';
import type { TokenizerInfo } from '../text/tokenizers';
import { tokenBatch, type TokenBatch } from '../model/layers/transformer';
import { Rng } from '../util/random';
import { BatchSampler, sliceBatch, splitProbe, type Batch, type SamplerState, type TrainingData } from './batches';
import { accumulationSteps, batchLengthsOf, microBatchOf, type RunConfig } from '../config/run-config';

type SideLengths = ReturnType<typeof batchLengthsOf>;
import { lossFunction, type LossFn } from './losses';
import { AdamW, ADAMW_DEFAULTS } from './optimizer';
import { accumulateGradients } from './accumulate';
import { learningRateAt } from './schedule';
import type { NamedTensorData, TensorData, TrainerSnapshot } from './checkpoints';

interface BatchTensors {
  query: TokenBatch;
  pos: TokenBatch;
  neg: TokenBatch;
  teacherPos: tf.Tensor1D;
  teacherNeg: tf.Tensor1D;
}

/** @param lengths the tokens per side the batch carries (batchLengthsOf: for cat, the whole pair's length on each). */
function toTensors(b: Batch, lengths: SideLengths): BatchTensors {
  return {
    query: tokenBatch(b.query, b.size, lengths.queryLength),
    pos: tokenBatch(b.pos, b.size, lengths.passageLength),
    neg: tokenBatch(b.neg, b.size, lengths.passageLength),
    teacherPos: tf.tensor1d(b.teacherPos, 'float32'),
    teacherNeg: tf.tensor1d(b.teacherNeg, 'float32'),
  };
}

export class Trainer {
  readonly model: Student;
  /** Where the triples come from: the training files (in OPFS, or built in memory from small tables), a batch at a time. */
  readonly data: TrainingData;
  readonly trainIndices: Int32Array;
  readonly probeBatch: Batch;
  /** The probe set in chunks of one micro-batch each: what one forward of the probe holds at most. */
  private readonly probeChunks: BatchTensors[];
  private readonly optimizer: AdamW;
  private readonly sampler: BatchSampler;
  private readonly loss: LossFn;
  /**
   * The next step's batch, assembled while the GPU runs the step before, with the sampler's position before it was
   * drawn (a checkpoint taken now must not skip it).
   */
  private prefetched: { batch: Batch; before: SamplerState } | null = null;
  stepsDone = 0;
  /** The tokens per side every batch, probe included, carries for this student. */
  private readonly lengths: SideLengths;

  /**
   * @param data the dataset's triples, their teacher scores already standardised where the config asks.
   * @param start the checkpoint the student starts from (config.start names it), or none for random weights.
   */
  constructor(
    data: TrainingData,
    readonly config: RunConfig,
    tokenizer: TokenizerInfo,
    start?: HfModelDescription | null,
  ) {
    this.data = data;
    this.loss = lossFunction(config.loss);
    if (this.data.size < 2) throw new Error(`the dataset has ${this.data.size} usable training triples; at least 2 are needed`);
    const split = splitProbe(this.data, config.probeSize, config.seed);
    this.trainIndices = split.train;
    this.lengths = batchLengthsOf(config);
    const { queryLength, passageLength } = this.lengths;
    this.probeBatch = this.data.batch(split.probe, queryLength, passageLength);
    this.sampler = new BatchSampler(split.train, config.batchSize, new Rng(config.seed));
    if (config.start !== SCRATCH && !start) throw new Error(`the run starts from model ${config.start}, which was not given to the trainer`);
    const kernels = kernelsFor(config.kernels);
    this.model = createStudent(config.arch, studentConfigFor(config, tokenizer, start), config.seed, kernels, start ?? undefined, config.denseDim);
    this.optimizer = new AdamW(this.model.params.vars, kernels, { ...ADAMW_DEFAULTS, weightDecay: config.weightDecay, clipNorm: config.clipNorm });
    const chunk = microBatchOf(config);
    this.probeChunks = [];
    for (let from = 0; from < this.probeBatch.size; from += chunk) {
      const part = sliceBatch(this.probeBatch, from, Math.min(chunk, this.probeBatch.size - from), queryLength, passageLength);
      this.probeChunks.push(toTensors(part, this.lengths));
    }
  }

  get epoch(): number {
    return this.sampler.epoch;
  }

  /**
   * One optimiser step over a batch of `batchSize` triples. Returns the whole batch's loss still on the device: the
   * caller decides when to read it back. With a micro-batch smaller than the batch, gradients accumulate over the
   * micro-batches inside this call and the weights change once, at its end: a step is never left half-accumulated,
   * so checkpoints (taken between steps) and resume stay exact.
   */
  step(): tf.Scalar {
    const batch = this.prefetched?.batch ?? this.drawBatch();
    this.prefetched = null;
    const lr = learningRateAt(this.config, this.stepsDone + 1);
    const loss = accumulationSteps(this.config) === 1 ? this.wholeBatchStep(batch, lr) : this.accumulatedStep(batch, lr);
    this.stepsDone++;
    // The step's kernels are queued, not finished: reading the next batch from storage now overlaps with them.
    if (this.stepsDone < this.config.steps) {
      const before = this.sampler.state();
      this.prefetched = { batch: this.drawBatch(), before };
    }
    return loss;
  }

  private lossOf(t: BatchTensors): tf.Scalar {
    const s = this.model.scoreTriples(t.query, t.pos, t.neg);
    return this.loss(s.pos, s.neg, t.teacherPos, t.teacherNeg);
  }

  private wholeBatchStep(batch: Batch, lr: number): tf.Scalar {
    return tf.tidy(() => {
      const t = toTensors(batch, this.lengths);
      return this.optimizer.minimize(() => this.lossOf(t), lr);
    });
  }

  /**
   * The batch as batchSize ÷ microBatch micro-batches (accumulate.ts), then one update from the summed gradients:
   * clipping and AdamW see what the whole batch at once would give them (up to the order of float additions).
   */
  private accumulatedStep(batch: Batch, lr: number): tf.Scalar {
    const { queryLength, passageLength } = this.lengths;
    const micro = microBatchOf(this.config);
    const sizes = Array.from({ length: batch.size / micro }, () => micro);
    const { loss, grads } = accumulateGradients(this.optimizer, sizes, (part) => {
      const t = toTensors(sliceBatch(batch, part * micro, micro, queryLength, passageLength), this.lengths);
      return this.lossOf(t);
    });
    try {
      this.optimizer.apply(grads, lr);
    } catch (err) {
      loss.dispose();
      throw err;
    } finally {
      tf.dispose([...grads.values()]);
    }
    return loss;
  }

  private drawBatch(): Batch {
    return this.data.batch(this.sampler.next(), this.lengths.queryLength, this.lengths.passageLength);
  }

  /** The sampler's state as of the steps taken (a prefetched batch not yet trained on is not counted). */
  private samplerState(): SamplerState {
    const p = this.prefetched;
    return p ? p.before : this.sampler.state();
  }

  /** Everything needed to continue this run exactly: weights, Adam's state, the sampler's position. */
  async snapshot(): Promise<TrainerSnapshot> {
    // Through a copy: the fused AdamW writes weights in place (readCopy).
    const read = async (t: tf.Tensor): Promise<TensorData> => ({ shape: t.shape.slice(), data: await readCopy(t) });
    const weights: NamedTensorData[] = [];
    const first: TensorData[] = [];
    const second: TensorData[] = [];
    for (const [name, v] of this.model.params.vars) {
      weights.push({ name, ...(await read(v)) });
      const m = await this.optimizer.moments(name);
      first.push(m.first);
      second.push(m.second);
    }
    const iter = this.optimizer.iterations;
    return { config: this.config, stepsDone: this.stepsDone, sampler: this.samplerState(), weights, optimizer: { iterations: iter, first, second } };
  }

  /**
   * Continues from a snapshot of a run with the same config on the same data. Weights and Adam's moments are
   * matched to the student's by name and checked by shape; nothing is assigned unless all of them fit.
   */
  async restore(s: TrainerSnapshot): Promise<void> {
    const arch = this.config.arch;
    const vars = [...this.model.params.vars];
    const index = new Map<string, number>();
    s.weights.forEach((w, i) => {
      if (typeof w.name !== 'string') throw new Error('the checkpoint does not name its weights (it was written by an older version of the studio); start the run again');
      index.set(w.name, i);
    });
    const moments = s.optimizer.first.length > 0;
    if (moments && (s.optimizer.first.length !== s.weights.length || s.optimizer.second.length !== s.weights.length)) {
      throw new Error(`the checkpoint holds ${s.weights.length} weights but Adam's moments for ${s.optimizer.first.length} and ${s.optimizer.second.length}`);
    }
    const missing = vars.find(([name]) => !index.has(name));
    if (missing) throw new Error(`the checkpoint has no weight ${missing[0]}, which this ${arch} student needs`);
    const extra = s.weights.filter((w) => !this.model.params.vars.has(w.name)).map((w) => w.name);
    if (extra.length > 0) throw new Error(`the checkpoint has weights this ${arch} student does not: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`);
    const order = vars.map(([name, v]) => {
      const i = index.get(name) as number;
      const w = s.weights[i] as NamedTensorData;
      const same = (t: TensorData) => t.shape.join('x') === v.shape.join('x');
      if (!same(w)) throw new Error(`checkpoint weight ${name} has shape [${w.shape.join(', ')}], this ${arch} student expects [${v.shape.join(', ')}]`);
      if (moments && !(same(s.optimizer.first[i] as TensorData) && same(s.optimizer.second[i] as TensorData))) throw new Error(`Adam's moments for ${name} in the checkpoint do not have the weight's shape [${v.shape.join(', ')}]`);
      return i;
    });
    vars.forEach(([, v], k) => {
      const w = s.weights[order[k] as number] as TensorData;
      tf.tidy(() => v.assign(tf.tensor(w.data, w.shape)));
    });
    if (moments) {
      vars.forEach(([name], k) => {
        const i = order[k] as number;
        this.optimizer.setMoments(name, s.optimizer.first[i] as TensorData, s.optimizer.second[i] as TensorData);
      });
    }
    this.optimizer.iterations = s.optimizer.iterations;
    this.sampler.restore(s.sampler);
    this.prefetched = null;
    this.stepsDone = s.stepsDone;
  }

  /** Replaces the student's weights with imported ones, checked name by name and shape by shape. */
  loadWeights(tensors: readonly { name: string; shape: number[]; data: Float32Array | Int32Array }[]): void {
    const arch = this.config.arch;
    const byName = new Map(tensors.map((t) => [t.name, t]));
    for (const [name, v] of this.model.params.vars) {
      const t = byName.get(name);
      if (!t) throw new Error(`the file has no weight ${name}, which the configured ${arch} student needs`);
      if (t.shape.join('x') !== v.shape.join('x')) throw new Error(`weight ${name} has shape [${t.shape.join(', ')}] in the file; the configured ${arch} student expects [${v.shape.join(', ')}]`);
    }
    const extra = tensors.filter((t) => !this.model.params.vars.has(t.name)).map((t) => t.name);
    if (extra.length > 0) throw new Error(`the file has weights the configured ${arch} student does not: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`);
    for (const [name, v] of this.model.params.vars) {
      const t = byName.get(name) as { shape: number[]; data: Float32Array | Int32Array };
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(t.data), t.shape)));
    }
  }

  /**
   * Student scores on the fixed probe set, a micro-batch of triples per forward (at real size the whole probe set
   * at once is an activation several training steps large), read back once at the end.
   */
  async probe(): Promise<{ pos: Float32Array; neg: Float32Array }> {
    const parts = this.probeChunks.map((p) =>
      tf.tidy(() => {
        const s = this.model.scoreTriples(p.query, p.pos, p.neg);
        return { pos: s.pos, neg: s.neg };
      }),
    );
    const scores = tf.tidy(() => tf.concat([...parts.map((p) => p.pos), ...parts.map((p) => p.neg)]));
    tf.dispose(parts.flatMap((p) => [p.pos, p.neg]));
    try {
      // GPU→CPU sync: once per probe interval.
      const flat = (await scores.data()) as Float32Array;
      const n = this.probeBatch.size;
      return { pos: flat.slice(0, n), neg: flat.slice(n, 2 * n) };
    } finally {
      scores.dispose();
    }
  }

  /**
   * Releases the data source (the run has ended; the student stays for evaluation and export). A prefetched batch
   * stays, with the sampler's position before it, so that a project saved after a stop continues at the right triple.
   */
  closeData(): void {
    this.data.close();
  }

  dispose(): void {
    this.closeData();
    this.model.dispose();
    this.optimizer.dispose();
    for (const p of this.probeChunks) tf.dispose([p.query.ids, p.query.mask, p.pos.ids, p.pos.mask, p.neg.ids, p.neg.mask, p.teacherPos, p.teacherNeg]);
  }
}
