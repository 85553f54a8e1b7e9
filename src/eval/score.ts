/**
 * Student scores for (query, passage) pairs, in batches on whatever tfjs backend is running. Reads back once every
 * few batches, so the device is not stalled on every batch.
 */
import * as tf from '../model/tf';
import { tokenBatch } from '../model/layers/transformer';
import type { Student } from '../model/students/student';
import type { TokenSource } from './collection';

export const SCORE_BATCH = 64;
const BATCHES_PER_READBACK = 8;

export interface PairLengths {
  queryLength: number;
  passageLength: number;
}

export async function scorePairs(
  model: Pick<Student, 'scorePairs'>,
  tables: { queries: TokenSource; passages: TokenSource },
  queryRows: Int32Array,
  passageRows: Int32Array,
  lengths: PairLengths,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<Float32Array> {
  const n = queryRows.length;
  const out = new Float32Array(n);
  let pending: { at: number; scores: tf.Tensor1D }[] = [];
  const drain = async () => {
    if (pending.length === 0) return;
    const stacked = tf.concat(pending.map((p) => p.scores));
    // GPU→CPU sync: once per BATCHES_PER_READBACK batches.
    const values = (await stacked.data()) as Float32Array;
    stacked.dispose();
    out.set(values, (pending[0] as { at: number }).at);
    for (const p of pending) p.scores.dispose();
    pending = [];
  };
  let done = 0;
  for (let at = 0; at < n; at += SCORE_BATCH) {
    const end = Math.min(n, at + SCORE_BATCH);
    const q = queryRows.subarray(at, end);
    const p = passageRows.subarray(at, end);
    const scores = tf.tidy(() => {
      const query = tokenBatch(tables.queries.padded(q, lengths.queryLength), q.length, lengths.queryLength);
      const passage = tokenBatch(tables.passages.padded(p, lengths.passageLength), p.length, lengths.passageLength);
      return model.scorePairs(query, passage);
    });
    pending.push({ at, scores });
    if (pending.length >= BATCHES_PER_READBACK) {
      await drain();
      done = end;
      onProgress(done, n);
    }
  }
  await drain();
  onProgress(n, n);
  return out;
}
