/**
 * Turning a dataset's triples into fixed-shape batches of token ids. Pure TypeScript over typed arrays, so the
 * sampling order is the same on every backend and can be tested without a GPU.
 *
 * The batches come from one source: the dataset's training files read a batch at a time (`storedData` in
 * stored-data.ts), in OPFS in the studio and in memory for the lab's demo runs and unit tests. The whole-table
 * version the file path is checked against lives in batches.reference.ts, for tests only.
 */
import type { TextColumns, TripleColumns } from '../data/store/schema';
import { Rng } from '../util/random';

/** A small dataset's tables in memory (the demo data): training reads them through `tablesAsTrainingData`. */
export interface TrainingTables {
  passages: TextColumns;
  queries: TextColumns;
  triples: TripleColumns;
}

export interface Batch {
  size: number;
  query: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
  teacherPos: Float32Array;
  teacherNeg: Float32Array;
}

/** The usable triples of a dataset, wherever they are kept: what the trainer samples from. */
export interface TrainingData {
  /** Usable triples; they are numbered 0..size-1. */
  readonly size: number;
  /** Triples dropped because a query or passage id was not in the dataset. */
  readonly unresolved: number;
  /** The id of each query row (a row's id is unique among the rows triples use: a repeated id resolves to its last row). */
  readonly queryIds: Int32Array;
  /** Visits every usable triple's query row, in order, a block at a time: rows[k] is triple first + k's. */
  scanQueryRows(visit: (rows: Int32Array, first: number) => void): void;
  /** The triples at these indices as token-id matrices and teacher scores. */
  batch(indices: ArrayLike<number>, queryLength: number, passageLength: number): Batch;
  /** Releases files it holds open; a closed source makes no more batches. */
  close(): void;
}

/** Mean and standard deviation of the teacher's scores over all triples, positives and negatives together. */
export function teacherMoments(scan: (visit: (pos: Float32Array, neg: Float32Array) => void) => void): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  scan((pos, neg) => {
    for (let i = 0; i < pos.length; i++) sum += (pos[i] as number) + (neg[i] as number);
    n += 2 * pos.length;
  });
  const mean = sum / n;
  let sq = 0;
  scan((pos, neg) => {
    for (let i = 0; i < pos.length; i++) sq += ((pos[i] as number) - mean) ** 2 + ((neg[i] as number) - mean) ** 2;
  });
  return { mean, std: Math.sqrt(sq / n) || 1 };
}

/**
 * The triples [from, from + count) of a batch, as a batch of their own: views of the same arrays, nothing copied.
 * A micro-batch of gradient accumulation, or a chunk of the probe set.
 */
export function sliceBatch(b: Batch, from: number, count: number, queryLength: number, passageLength: number): Batch {
  if (!(Number.isInteger(from) && Number.isInteger(count) && from >= 0 && count >= 1 && from + count <= b.size)) {
    throw new Error(`triples ${from} to ${from + count - 1} are not all in a batch of ${b.size}`);
  }
  const to = from + count;
  return {
    size: count,
    query: b.query.subarray(from * queryLength, to * queryLength),
    pos: b.pos.subarray(from * passageLength, to * passageLength),
    neg: b.neg.subarray(from * passageLength, to * passageLength),
    teacherPos: b.teacherPos.subarray(from, to),
    teacherNeg: b.teacherNeg.subarray(from, to),
  };
}

/**
 * Splits triple indices into training and probe sets by query, so the probe histograms show queries the
 * student never trained on. At least one query stays on each side when there are two or more. Memory and time: a
 * count per query row in a typed array and two passes over the triples' query rows (no Map of 40M updates), plus
 * the training indices (4 bytes a triple).
 */
export function splitProbe(data: Pick<TrainingData, 'size' | 'queryIds' | 'scanQueryRows'>, probeSize: number, seed: number): { train: Int32Array; probe: Int32Array } {
  const ids = data.queryIds;
  const perRow = new Int32Array(ids.length);
  data.scanQueryRows((rows) => {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k] as number;
      perRow[row] = (perRow[row] as number) + 1;
    }
  });
  // The queries triples use, in ascending id order, then shuffled: the permutation depends only on their number,
  // so this is the order a shuffle of the sorted distinct query ids gives.
  const used: number[] = [];
  perRow.forEach((n, row) => n > 0 && used.push(row));
  used.sort((a, b) => (ids[a] as number) - (ids[b] as number));
  new Rng(seed ^ 0x5eed).shuffle(used);
  const isProbe = new Uint8Array(ids.length);
  let chosen = 0;
  let taken = 0;
  for (const row of used) {
    if (taken >= probeSize || chosen >= used.length - 1) break;
    isProbe[row] = 1;
    chosen++;
    taken += perRow[row] as number;
  }
  const train = new Int32Array(data.size);
  let trainCount = 0;
  const probe: number[] = [];
  data.scanQueryRows((rows, first) => {
    for (let k = 0; k < rows.length; k++) {
      if (isProbe[rows[k] as number] === 1 && probe.length < probeSize) probe.push(first + k);
      else train[trainCount++] = first + k;
    }
  });
  if (trainCount === 0) throw new Error('no training triples left after holding out the probe set');
  // A view, not a copy: the probe set's few slots at the end are all it wastes (a copy would be 4 bytes a triple).
  return { train: train.subarray(0, trainCount), probe: Int32Array.from(probe) };
}

/**
 * Where a sampler is: the generator's state before this epoch's shuffle (the order is made again from it, so a
 * checkpoint holds a few numbers, not 4 bytes a triple), the pool's size, the position in the epoch, the epoch and
 * the generator's state now. `order` is the epoch's order itself, as checkpoints and project files written before
 * this held it; it is still read.
 */
export interface SamplerState {
  shuffle: number;
  size: number;
  /** A checksum of the pool the order is made from (absent in old checkpoints, which carry the order). */
  pool?: number;
  cursor: number;
  epoch: number;
  rng: number;
  order?: Int32Array;
}

/** A position-weighted sum of the pool's indices (mod 2^32): equal pools, equal sums; a changed split, another. */
export function poolChecksum(pool: Int32Array): number {
  let a = 0;
  let b = 0;
  for (let i = 0; i < pool.length; i++) {
    a = (a + (pool[i] as number) + 1) >>> 0;
    b = (b + a) >>> 0;
  }
  return ((b << 16) ^ a) >>> 0;
}

/**
 * Epoch-wise shuffled sampling without replacement: each epoch is a Fisher-Yates permutation of the training
 * indices in an Int32Array (4 bytes a triple: 160 MB for 40M triples, in memory only). Its position is a few
 * integers: the generator's state before the epoch's shuffle, from which the order is made again, and where it is.
 */
export class BatchSampler {
  private order: Int32Array;
  /** The generator's state before this epoch's shuffle; -1 for an order restored from an old checkpoint. */
  private shuffleState = -1;
  /** An order restored as it was stored (old checkpoints), kept in the state until the epoch ends. */
  private storedOrder: Int32Array | null = null;
  private cursor = 0;
  private readonly poolSum: number;
  epoch = 0;

  constructor(
    private readonly pool: Int32Array,
    private readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    this.poolSum = poolChecksum(pool);
    this.order = this.shuffled();
  }

  private shuffled(): Int32Array {
    this.shuffleState = this.rng.getState();
    this.storedOrder = null;
    // A new array each epoch, never shuffled in place.
    return this.rng.shuffle(this.pool.slice());
  }

  /**
   * Where the sampler is: a few numbers (the order is made again from them on restore), cheap enough to take before
   * every batch drawn ahead.
   */
  state(): SamplerState {
    const s: SamplerState = { shuffle: this.shuffleState, size: this.pool.length, pool: this.poolSum, cursor: this.cursor, epoch: this.epoch, rng: this.rng.getState() };
    if (this.storedOrder) s.order = this.storedOrder;
    return s;
  }

  restore(s: SamplerState): void {
    if (s.order) {
      if (s.order.length !== this.pool.length) throw new Error(`the checkpoint's sampler holds ${s.order.length} triples, this dataset ${this.pool.length}`);
      this.order = s.order.slice();
      this.shuffleState = -1;
      this.storedOrder = this.order;
    } else {
      if (s.size !== this.pool.length) throw new Error(`the checkpoint's sampler holds ${s.size} triples, this dataset ${this.pool.length}`);
      // The order is made again from the pool: it must be the pool the checkpoint's run drew from.
      if (s.pool !== undefined && s.pool !== this.poolSum) throw new Error("the checkpoint's sampler drew from another set of training triples (another probe split or dataset version); it cannot continue here");
      this.rng.setState(s.shuffle);
      this.order = this.shuffled();
    }
    this.cursor = s.cursor;
    this.epoch = s.epoch;
    this.rng.setState(s.rng);
  }

  next(): Int32Array {
    const out = new Int32Array(this.batchSize);
    for (let i = 0; i < this.batchSize; i++) {
      if (this.cursor >= this.order.length) {
        this.order = this.shuffled();
        this.cursor = 0;
        this.epoch++;
      }
      out[i] = this.order[this.cursor++] as number;
    }
    return out;
  }
}
