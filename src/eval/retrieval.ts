/**
 * Dense retrieval for the `dot` student: every passage encoded once, then an exact top-k by chunked matrix products
 * (queries × a chunk of passage vectors on the device, top-k per chunk, merged on the CPU). Exact, not approximate:
 * the figure is the model's, not an index's.
 */
import * as tf from '../model/tf';
import { tokenBatch } from '../model/layers/transformer';
import type { VectorStudent } from '../model/students/student';
import type { TokenSource } from './collection';

export const ENCODE_BATCH = 128;
export const SEARCH_CHUNK = 8192;

/** Vectors of the given rows, [rows.length × hidden], row-major. */
export async function encodeRows(
  model: VectorStudent,
  source: TokenSource,
  rows: Int32Array,
  length: number,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<Float32Array> {
  const hidden = model.vectorSize;
  const out = new Float32Array(rows.length * hidden);
  for (let at = 0; at < rows.length; at += ENCODE_BATCH) {
    const part = rows.subarray(at, Math.min(rows.length, at + ENCODE_BATCH));
    const vectors = tf.tidy(() => model.embed(tokenBatch(source.padded(part, length), part.length, length)));
    // GPU→CPU sync: once per batch of passages; the vectors are needed on the CPU to be searched in chunks.
    out.set((await vectors.data()) as Float32Array, at * hidden);
    vectors.dispose();
    onProgress(at + part.length, rows.length);
  }
  return out;
}

/** Exact top-k passage rows by dot product for each query vector; best first. */
export async function searchTopK(queries: Float32Array, passages: Float32Array, hidden: number, k: number): Promise<{ rows: Int32Array; scores: Float32Array }[]> {
  const m = queries.length / hidden;
  const n = passages.length / hidden;
  const best = Array.from({ length: m }, () => ({ rows: [] as number[], scores: [] as number[] }));
  const q = tf.tensor2d(queries, [m, hidden]);
  try {
    for (let at = 0; at < n; at += SEARCH_CHUNK) {
      const c = Math.min(SEARCH_CHUNK, n - at);
      const kk = Math.min(k, c);
      const { values, indices } = tf.tidy(() => {
        const p = tf.tensor2d(passages.subarray(at * hidden, (at + c) * hidden), [c, hidden]);
        return tf.topk(tf.matMul(q, p, false, true), kk);
      });
      // GPU→CPU sync: once per chunk of passages.
      const [v, i] = await Promise.all([values.data(), indices.data()]);
      values.dispose();
      indices.dispose();
      for (let r = 0; r < m; r++) {
        const b = best[r] as { rows: number[]; scores: number[] };
        for (let j = 0; j < kk; j++) {
          b.rows.push(at + (i[r * kk + j] as number));
          b.scores.push(v[r * kk + j] as number);
        }
        if (b.rows.length > 4 * k) trim(b, k);
      }
    }
  } finally {
    q.dispose();
  }
  return best.map((b) => {
    trim(b, k);
    return { rows: Int32Array.from(b.rows), scores: Float32Array.from(b.scores) };
  });
}

function trim(b: { rows: number[]; scores: number[] }, k: number): void {
  const order = b.rows.map((_, i) => i).sort((x, y) => (b.scores[y] as number) - (b.scores[x] as number) || (b.rows[x] as number) - (b.rows[y] as number)).slice(0, k);
  b.rows = order.map((i) => b.rows[i] as number);
  b.scores = order.map((i) => b.scores[i] as number);
}
