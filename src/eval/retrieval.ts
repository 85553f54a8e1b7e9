/**
 * Dense retrieval for the `dot` student: every passage encoded once, then an exact top-k by chunked matrix products
 * (queries × a chunk of passage vectors on the device, top-k per chunk, merged on the CPU: vector-search.ts). Exact,
 * not approximate: the figure is the model's, not an index's. The passages are encoded to a vector file of the
 * dataset (vectors.ts: encodeToFile with embedRows, then searchFileOnDevice); `encodeRows` encodes the queries.
 */
import * as tf from '../model/tf';
import { tokenBatch } from '../model/layers/transformer';
import type { VectorStudent } from '../model/students/student';
import type { TokenSource } from './collection';
import type { ChunkTopK, Hits } from './vector-search';
import { searchFile, type Embed, type VectorFile } from './vectors';
import { boundedBatch } from './score';

/** Texts per encoding forward when nothing smaller is asked for (PairLengths.forwardBatch). */
export const ENCODE_BATCH = 128;

/** Texts per encoding forward: the asked forward batch, at most ENCODE_BATCH. */
export function textsPerForward(forwardBatch?: number): number {
  return boundedBatch(forwardBatch, ENCODE_BATCH);
}
export const SEARCH_CHUNK = 8192;

/** Vectors of the given rows, [rows.length × hidden], row-major. */
export async function encodeRows(
  model: VectorStudent,
  source: TokenSource,
  rows: Int32Array,
  length: number,
  onProgress: (done: number, total: number) => void = () => undefined,
  /** Texts per forward at most (a run's PairLengths.forwardBatch); ENCODE_BATCH when absent. */
  forwardBatch?: number,
): Promise<Float32Array> {
  const hidden = model.vectorSize;
  const out = new Float32Array(rows.length * hidden);
  const batch = textsPerForward(forwardBatch);
  for (let at = 0; at < rows.length; at += batch) {
    const part = rows.subarray(at, Math.min(rows.length, at + batch));
    const vectors = tf.tidy(() => model.embed(tokenBatch(source.padded(part, length), part.length, length)));
    // GPU→CPU sync: once per batch of passages; the vectors are needed on the CPU to be searched in chunks.
    out.set((await vectors.data()) as Float32Array, at * hidden);
    vectors.dispose();
    onProgress(at + part.length, rows.length);
  }
  return out;
}

/**
 * A chunkTopK on the tfjs backend: one matMul and tf.topk per chunk, the m × chunk scores on the device. The queries
 * go up once, on the first chunk, and stay until `dispose`; a search with other queries replaces them.
 */
export function deviceChunkTopK(): { topK: ChunkTopK; dispose(): void } {
  let held: { from: Float32Array; tensor: tf.Tensor2D } | null = null;
  const topK: ChunkTopK = async (queries, m, chunk, c, dim, k) => {
    if (held?.from !== queries) {
      held?.tensor.dispose();
      held = { from: queries, tensor: tf.tensor2d(queries, [m, dim]) };
    }
    const q = held.tensor;
    const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(q, tf.tensor2d(chunk, [c, dim]), false, true), k));
    // GPU→CPU sync: once per chunk of passages.
    const [v, i] = await Promise.all([values.data(), indices.data()]);
    values.dispose();
    indices.dispose();
    return { values: v as Float32Array, indices: i as Int32Array };
  };
  return {
    topK,
    dispose: () => {
      held?.tensor.dispose();
      held = null;
    },
  };
}

/** Exact top-k passage rows by dot product for each query vector, best first, over a vector file on disk: queries × a chunk of vectors on the device, a chunk read from the file at a time. */
export async function searchFileOnDevice(vectors: VectorFile, queries: Float32Array, k: number): Promise<Hits[]> {
  const device = deviceChunkTopK();
  try {
    return await searchFile(vectors, queries, k, device.topK, SEARCH_CHUNK);
  } finally {
    device.dispose();
  }
}

/**
 * An `embed` for encodeToFile: passage rows [from, to) of a collection (token rows on disk, or a table), padded or
 * cut to `length` tokens, through the student.
 */
export function embedRows(model: VectorStudent, passages: TokenSource, length: number): Embed {
  return async (from, to) => {
    const rows = Int32Array.from({ length: to - from }, (_, i) => from + i);
    const vectors = tf.tidy(() => model.embed(tokenBatch(passages.padded(rows, length), rows.length, length)));
    try {
      // GPU→CPU sync: once per batch of passages, to be written to the vector file.
      return (await vectors.data()) as Float32Array;
    } finally {
      vectors.dispose();
    }
  };
}
