/**
 * Rows of an embedding table by token id, [rows, cols] table and [n, length] ids -> [n, length, cols].
 *
 * The stock gradient of a gather is an UnsortedSegmentSum into the whole table with a float add done as a
 * compare-and-swap loop on atomics, and padding and [CLS] ids hit the same rows thousands of times a step. The ids
 * are known on the CPU when the batch is built, so here they are sorted there (a counting sort): each table row
 * learns which positions carry its id, and one program sums them, a thread per table element, without atomics.
 */
import * as tf from '../tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp, FlatProgram, runProgram } from './webgpu';

/** Positions grouped by id: positions[starts[id] .. starts[id + 1]) hold id `id`. */
export interface IdGroups {
  starts: Int32Array;
  positions: Int32Array;
}

/** A counting sort of `ids` (each in [0, vocab)) by id, stable in position. */
export function groupById(ids: Int32Array, vocab: number): IdGroups {
  const starts = new Int32Array(vocab + 1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id < 0 || id >= vocab) throw new RangeError(`token id ${id} at position ${i} is outside the table's ${vocab} rows`);
    starts[id + 1] = (starts[id + 1] as number) + 1;
  }
  for (let v = 0; v < vocab; v++) starts[v + 1] = (starts[v + 1] as number) + (starts[v] as number);
  const next = starts.slice(0, vocab);
  const positions = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    positions[next[id] as number] = i;
    next[id] = (next[id] as number) + 1;
  }
  return { starts, positions };
}

const gradProgram = (rows: number, cols: number) =>
  new FlatProgram('embedding_grad', [rows, cols], ['dy', 'starts', 'positions'], rows * cols, [{ name: 'cols', type: 'i32' }], `
      let row = index / uniforms.cols;
      let col = index % uniforms.cols;
      var acc = 0.0;
      for (var k = starts[row]; k < starts[row + 1]; k++) {
        acc = acc + dy[positions[k] * uniforms.cols + col];
      }
      result[index] = acc;
    `);

/** The table's gradient summed on the host, each row over its positions in order (as the WGSL program sums them). */
export function hostEmbeddingGrad(dy: Float32Array | Int32Array | Uint8Array, hostIds: Int32Array, rows: number, cols: number): Float32Array {
  if (dy.length !== hostIds.length * cols) throw new Error(`embedding gradient: ${dy.length} values for ${hostIds.length} ids of ${cols} columns`);
  const { starts, positions } = groupById(hostIds, rows);
  const grad = new Float32Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    const out = row * cols;
    for (let k = starts[row] as number; k < (starts[row + 1] as number); k++) {
      const from = (positions[k] as number) * cols;
      for (let c = 0; c < cols; c++) grad[out + c] = (grad[out + c] as number) + (dy[from + c] as number);
    }
  }
  return grad;
}

/**
 * On tfjs's CPU backend the stock gather gradient (UnsortedSegmentSum) runs five ops over the whole batch per table
 * row: with BERT's 30,522 rows, minutes per step (670 s for a 6-layer, 384-wide student's step at batch 2, measured
 * in Chromium on this machine; 160 s with 8,192 rows). Summed on the host from the known ids it is one pass.
 */
function cpuEmbeddingLookup(table: tf.Tensor2D, ids: tf.Tensor2D, hostIds: Int32Array): tf.Tensor3D {
  const [rows, cols] = table.shape;
  const op = customOp<tf.Tensor3D>(([t]) => {
    if (!t) throw new Error('embeddingLookup: one input expected');
    return {
      value: tf.gather(t, ids) as tf.Tensor3D,
      // On the CPU backend dataSync() copies memory; it is no GPU→CPU sync (this path never runs on a GPU backend).
      gradFunc: (dy) => [tf.tensor2d(hostEmbeddingGrad(dy.dataSync(), hostIds, rows, cols), [rows, cols])],
    };
  });
  return op(table);
}

/**
 * `table` rows for `ids`. `hostIds` are the same ids on the CPU, row-major; without them (or off the fused path, except
 * on the CPU backend) the stock gather and its gradient run.
 */
export function embeddingLookup(b: WebGPUBackend | null, table: tf.Tensor2D, ids: tf.Tensor2D, hostIds?: Int32Array): tf.Tensor3D {
  if (hostIds && hostIds.length === ids.size && tf.getBackend() === 'cpu') return cpuEmbeddingLookup(table, ids, hostIds);
  if (!b || !hostIds || hostIds.length !== ids.size) return tf.gather(table as tf.Tensor, ids) as tf.Tensor3D;
  const [rows, cols] = table.shape;
  const [n, length] = ids.shape;
  const op = customOp<tf.Tensor3D>(([t]) => {
    if (!t) throw new Error('embeddingLookup: one input expected');
    return {
      value: tf.gather(t, ids) as tf.Tensor3D,
      gradFunc: (dy) => {
        const groups = groupById(hostIds, rows);
        const starts = tf.tensor1d(groups.starts, 'int32');
        const positions = tf.tensor1d(groups.positions, 'int32');
        const grad = runProgram(b, gradProgram(rows, cols), [dy.reshape([n * length, cols]), starts, positions], [cols]);
        tf.dispose([starts, positions]);
        return [grad];
      },
    };
  });
  return op(table);
}
