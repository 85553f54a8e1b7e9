/**
 * Student scores for (query, passage) pairs, in batches on whatever tfjs backend is running. Reads back once every
 * few batches, so the device is not stalled on every batch.
 */
import * as tf from '../model/tf';
import { tokenBatch } from '../model/layers/transformer';
import type { Student } from '../model/students/student';
import type { TokenSource } from './collection';

/** Pairs per scoring forward when nothing smaller is asked for (`forwardBatch`). */
export const SCORE_BATCH = 64;
const BATCHES_PER_READBACK = 8;

export interface PairLengths {
  queryLength: number;
  passageLength: number;
  /**
   * The most (query, passage) pairs one scoring forward takes, and the most texts one encoding forward takes: the
   * bound a run's micro-batch sets, so that evaluation never holds more activations at once than training does.
   * Absent: SCORE_BATCH pairs, ENCODE_BATCH texts. Capped by those either way.
   */
  forwardBatch?: number;
}

/** Pairs per scoring forward for these lengths: forwardBatch, at most SCORE_BATCH and at least 1. */
export function pairsPerForward(lengths: Pick<PairLengths, 'forwardBatch'>): number {
  return boundedBatch(lengths.forwardBatch, SCORE_BATCH);
}

/** `asked` within [1, cap]; the cap when nothing is asked. Refuses what is not a whole number. */
export function boundedBatch(asked: number | undefined, cap: number): number {
  if (asked === undefined) return cap;
  if (!(Number.isInteger(asked) && asked >= 1)) throw new Error(`a forward batch must be a whole number of at least 1, got ${asked}`);
  return Math.min(asked, cap);
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
  const batch = pairsPerForward(lengths);
  for (let at = 0; at < n; at += batch) {
    const end = Math.min(n, at + batch);
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
