/**
 * Turning stored tables into fixed-shape batches of token ids. Pure TypeScript over typed arrays, so the
 * sampling order is the same on every backend and can be tested without a GPU.
 */
import { padTokens, rowIndex } from '../data/store/columns';
import type { TextColumns, TripleColumns } from '../data/store/schema';
import { Rng } from '../util/random';

export interface TrainingTables {
  passages: TextColumns;
  queries: TextColumns;
  triples: TripleColumns;
}

/** Triples resolved to row numbers of the text tables; triples naming unknown ids are counted, not used. */
export interface ResolvedTriples {
  queryRow: Int32Array;
  posRow: Int32Array;
  negRow: Int32Array;
  posScore: Float32Array;
  negScore: Float32Array;
  qid: Int32Array;
  /** Triples dropped because a query or passage id was not in the dataset. */
  unresolved: number;
}

export function resolveTriples(t: TrainingTables): ResolvedTriples {
  const qRows = rowIndex(t.queries.id);
  const pRows = rowIndex(t.passages.id);
  const n = t.triples.qid.length;
  const keep: number[] = [];
  const rows: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const q = qRows.get(t.triples.qid[i] as number);
    const p = pRows.get(t.triples.pos[i] as number);
    const m = pRows.get(t.triples.neg[i] as number);
    if (q === undefined || p === undefined || m === undefined) continue;
    keep.push(i);
    rows.push([q, p, m]);
  }
  const pick = <A extends Int32Array | Float32Array>(src: A): A => {
    const out = new (src.constructor as new (n: number) => A)(keep.length);
    keep.forEach((i, j) => (out[j] = src[i] as number));
    return out;
  };
  return {
    queryRow: Int32Array.from(rows, (r) => r[0]),
    posRow: Int32Array.from(rows, (r) => r[1]),
    negRow: Int32Array.from(rows, (r) => r[2]),
    posScore: pick(t.triples.posScore),
    negScore: pick(t.triples.negScore),
    qid: pick(t.triples.qid),
    unresolved: n - keep.length,
  };
}

/**
 * Splits triple indices into training and probe sets by query, so the probe histograms show queries the
 * student never trained on. At least one query stays on each side when there are two or more.
 */
export function splitProbe(triples: ResolvedTriples, probeSize: number, seed: number): { train: Int32Array; probe: Int32Array } {
  const qids = [...new Set(triples.qid)].sort((a, b) => a - b);
  new Rng(seed ^ 0x5eed).shuffle(qids);
  const perQuery = new Map<number, number[]>();
  triples.qid.forEach((q, i) => {
    const list = perQuery.get(q) ?? [];
    list.push(i);
    perQuery.set(q, list);
  });
  const probeQueries = new Set<number>();
  let taken = 0;
  for (const q of qids) {
    if (taken >= probeSize || probeQueries.size >= qids.length - 1) break;
    probeQueries.add(q);
    taken += perQuery.get(q)?.length ?? 0;
  }
  const train: number[] = [];
  const probe: number[] = [];
  triples.qid.forEach((q, i) => (probeQueries.has(q) && probe.length < probeSize ? probe : train).push(i));
  if (train.length === 0) throw new Error('no training triples left after holding out the probe set');
  return { train: Int32Array.from(train), probe: Int32Array.from(probe) };
}

export interface Batch {
  size: number;
  query: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
  teacherPos: Float32Array;
  teacherNeg: Float32Array;
}

export function makeBatch(tables: TrainingTables, triples: ResolvedTriples, indices: ArrayLike<number>, queryLength: number, passageLength: number): Batch {
  const idx = Array.from(indices);
  return {
    size: idx.length,
    query: padTokens(tables.queries, idx.map((i) => triples.queryRow[i] as number), queryLength),
    pos: padTokens(tables.passages, idx.map((i) => triples.posRow[i] as number), passageLength),
    neg: padTokens(tables.passages, idx.map((i) => triples.negRow[i] as number), passageLength),
    teacherPos: Float32Array.from(idx, (i) => triples.posScore[i] as number),
    teacherNeg: Float32Array.from(idx, (i) => triples.negScore[i] as number),
  };
}

/** Epoch-wise shuffled sampling without replacement; its position is two integers and the generator state. */
export class BatchSampler {
  private order: Int32Array;
  private cursor = 0;
  epoch = 0;

  constructor(
    private readonly pool: Int32Array,
    private readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    this.order = this.shuffled();
  }

  private shuffled(): Int32Array {
    return Int32Array.from(this.rng.shuffle(Array.from(this.pool)));
  }

  /** Where the sampler is: its order for this epoch, the position in it, the epoch, the generator's state. */
  state(): { order: Int32Array; cursor: number; epoch: number; rng: number } {
    return { order: this.order.slice(), cursor: this.cursor, epoch: this.epoch, rng: this.rng.getState() };
  }

  restore(s: { order: Int32Array; cursor: number; epoch: number; rng: number }): void {
    if (s.order.length !== this.order.length) throw new Error(`the checkpoint's sampler holds ${s.order.length} triples, this dataset ${this.order.length}`);
    this.order = s.order.slice();
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
