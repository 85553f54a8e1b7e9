/**
 * Exact top-k by dot product over vectors read a chunk at a time. Each chunk's best k per query comes from a
 * pluggable `chunkTopK` (tfjs on the device in the app, see retrieval.ts; plain loops here) and is merged on the CPU
 * into a running best k per query. Memory is one chunk of vectors and m × k kept hits, never the collection.
 *
 * Order, everywhere: a higher score is better; of equal scores, the lower row.
 */

/** Vectors readable by row range: a vector file on disk, or an array in memory. */
export interface VectorSource {
  readonly rows: number;
  readonly dim: number;
  /** Rows [from, to) as (to − from) × dim floats, row-major; may fill and return the front of `into`. */
  read(from: number, to: number, into: Float32Array): Float32Array;
}

export interface Hits {
  rows: Int32Array;
  scores: Float32Array;
}

/**
 * The best k rows of one chunk for each of m queries: m × k scores and chunk-local indices, each query's run in
 * descending score (as tf.topk gives them). At the cut-off, of equal scores the lower index must be the one kept.
 * k is at most c.
 */
export type ChunkTopK = (queries: Float32Array, m: number, chunk: Float32Array, c: number, dim: number, k: number) => Promise<{ values: Float32Array; indices: Int32Array }>;

/** Rows per chunk unless asked otherwise: 32 MiB of 128-dim vectors, 192 MiB of 768-dim ones, whatever the collection's size. */
export const CHUNK_ROWS = 65536;

/** The k best (score, row) pairs offered, in a heap whose root is the worst kept. */
class BestK {
  private readonly scores: Float32Array;
  private readonly rows: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float32Array(k);
    this.rows = new Int32Array(k);
  }

  /** The lowest score kept once k are kept (−Infinity before): a pair scoring below it cannot enter. */
  floor(): number {
    return this.size < this.k ? -Infinity : (this.scores[0] as number);
  }

  offer(score: number, row: number): void {
    if (this.size < this.k) {
      this.scores[this.size] = score;
      this.rows[this.size] = row;
      this.up(this.size++);
    } else if (this.k > 0 && this.worse(0, score, row)) {
      this.scores[0] = score;
      this.rows[0] = row;
      this.down(0);
    }
  }

  /** The pairs kept, best first. */
  sorted(): Hits {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => (this.worse(a, this.scores[b] as number, this.rows[b] as number) ? 1 : -1));
    return { rows: Int32Array.from(order, (i) => this.rows[i] as number), scores: Float32Array.from(order, (i) => this.scores[i] as number) };
  }

  /** Whether the pair at heap slot i is worse than (score, row). */
  private worse(i: number, score: number, row: number): boolean {
    const s = this.scores[i] as number;
    return s < score || (s === score && (this.rows[i] as number) > row);
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i] as number;
    const r = this.rows[i] as number;
    this.scores[i] = this.scores[j] as number;
    this.rows[i] = this.rows[j] as number;
    this.scores[j] = s;
    this.rows[j] = r;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, this.scores[parent] as number, this.rows[parent] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      let worst = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (child < this.size && this.worse(child, this.scores[worst] as number, this.rows[worst] as number)) worst = child;
      }
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }
}

/**
 * chunkTopK on the CPU: each score is the dot product summed in double precision and rounded to float32 (what a
 * device would return, give or take its own rounding), and the ranking is of those float32 scores.
 */
export const cpuChunkTopK: ChunkTopK = async (queries, m, chunk, c, dim, k) => {
  const values = new Float32Array(m * k);
  const indices = new Int32Array(m * k);
  for (let q = 0; q < m; q++) {
    const best = new BestK(k);
    for (let p = 0; p < c; p++) {
      let s = 0;
      for (let h = 0; h < dim; h++) s += (queries[q * dim + h] as number) * (chunk[p * dim + h] as number);
      best.offer(Math.fround(s), p);
    }
    const hits = best.sorted();
    values.set(hits.scores, q * k);
    indices.set(hits.rows, q * k);
  }
  return { values, indices };
};

/** Vectors already in memory, as a source (no copies: a chunk is a view of the array). */
export function vectorsInMemory(vectors: Float32Array, dim: number): VectorSource {
  if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0) throw new Error(`${vectors.length} floats are not whole vectors of ${dim}`);
  return { rows: vectors.length / dim, dim, read: (from, to) => vectors.subarray(from * dim, to * dim) };
}

/** Exact top k rows of the source by dot product for each query vector, best first; fewer when the source has fewer. */
export async function searchVectors(source: VectorSource, queries: Float32Array, k: number, chunkTopK: ChunkTopK = cpuChunkTopK, chunkRows = CHUNK_ROWS): Promise<Hits[]> {
  const { rows, dim } = source;
  if (queries.length % dim !== 0) throw new Error(`${queries.length} query floats are not whole vectors of ${dim}`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive whole number, not ${k}`);
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new Error(`rows per chunk must be a positive whole number, not ${chunkRows}`);
  const m = queries.length / dim;
  const best = Array.from({ length: m }, () => new BestK(Math.min(k, rows)));
  const buffer = new Float32Array(m > 0 ? Math.min(chunkRows, rows) * dim : 0);
  for (let at = 0; m > 0 && at < rows; at += chunkRows) {
    const c = Math.min(chunkRows, rows - at);
    const kk = Math.min(k, c);
    const { values, indices } = await chunkTopK(queries, m, source.read(at, at + c, buffer), c, dim, kk);
    if (values.length !== m * kk || indices.length !== m * kk) throw new Error(`chunkTopK returned ${values.length} scores and ${indices.length} indices for ${m} queries × ${kk}`);
    for (let q = 0; q < m; q++) {
      const b = best[q] as BestK;
      for (let j = 0; j < kk; j++) {
        const score = values[q * kk + j] as number;
        // Scores come best first, so once one falls below the k-th kept, the rest of this query's run does too.
        if (score < b.floor()) break;
        if (j > 0 && score > (values[q * kk + j - 1] as number)) throw new Error(`chunkTopK returned query ${q}'s hits out of order`);
        const index = indices[q * kk + j] as number;
        if (!(index >= 0 && index < c)) throw new Error(`chunkTopK returned index ${index} in a chunk of ${c} rows`);
        b.offer(score, at + index);
      }
    }
  }
  return best.map((b) => b.sorted());
}
