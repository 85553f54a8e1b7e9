/**
 * Test helpers (Node only): id rows as the int64 feeds of an exported ONNX model, run in onnxruntime-node, and the
 * relative error the export's tests bound.
 */
import * as ort from 'onnxruntime-node';
import type { HfModelType } from '../export/hf-layout';

/** Rows of ids padded with 0 to the longest, with their mask and token types. */
export interface Batch {
  rows: number;
  length: number;
  ids: Int32Array;
  mask: Float32Array;
  types: Int32Array;
}

export function padded(rows: readonly number[][], types?: readonly number[][]): Batch {
  const length = Math.max(...rows.map((r) => r.length));
  const b: Batch = { rows: rows.length, length, ids: new Int32Array(rows.length * length), mask: new Float32Array(rows.length * length), types: new Int32Array(rows.length * length) };
  rows.forEach((r, i) => {
    b.ids.set(r, i * length);
    b.mask.fill(1, i * length, i * length + r.length);
    if (types) b.types.set(types[i] as number[], i * length);
  });
  return b;
}

const int64 = (a: Int32Array | Float32Array, b: Batch) => new ort.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [b.rows, b.length]);

export async function runOnnx(bytes: Uint8Array, model: { type: HfModelType }, b: Batch): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = { input_ids: int64(b.ids, b), attention_mask: int64(b.mask, b) };
  if (model.type === 'bert') feeds.token_type_ids = int64(b.types, b);
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** Largest |a − b| over the largest |reference|: the relative error of a whole output. */
export function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length !== reference.length) throw new Error(`lengths differ: ${actual.length} and ${reference.length}`);
  let diff = 0;
  let top = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (reference[i] as number)));
    top = Math.max(top, Math.abs(reference[i] as number));
  }
  return diff / top;
}

