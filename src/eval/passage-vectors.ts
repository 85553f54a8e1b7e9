/**
 * The student's passage vectors for dense retrieval (evaluation and "try the student"), encoded once per student
 * state and dataset version, into a vector file in the dataset's folder: bounded memory, and an encoding cut off by
 * a closed tab resumes where it stopped the next time the same student is evaluated. The key of the vectors is a fingerprint of the weights themselves, so two
 * students never share vectors by accident and the same weights reloaded later find theirs.
 */
import type { VectorStudent } from '../model/students/student';
import type { Collection } from './collection';
import type { EvalData } from './eval-data';
import { embedRows, searchFileOnDevice, textsPerForward } from './retrieval';
import type { PairLengths } from './score';
import type { Hits } from './vector-search';
import { encodeToFile } from './vectors';

/** FNV-1a over the bytes of every weight, in two lanes (64 bits together), with each weight's name and shape. */
export async function weightsFingerprint(model: Pick<VectorStudent, 'params'>): Promise<string> {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const mix = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ (bytes[i] as number), 0x01000193);
      b = Math.imul(b ^ (bytes[i] as number), 0x01000193) ^ (b >>> 15);
    }
  };
  const text = new TextEncoder();
  for (const [name, v] of model.params.vars) {
    mix(text.encode(`${name}:${v.shape.join('x')};`));
    // GPU→CPU sync: once per weight, once per student state (the session keeps the result).
    const data = (await v.data()) as Float32Array;
    mix(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}

export interface DenseSearch {
  hits: Hits[];
  /** Seconds encoding took in this call (0 when the vectors were there). */
  encodeSeconds: number;
  /** Passages encoded by this call, and those taken from an earlier (finished or cut-off) encoding. */
  encoded: number;
  reused: number;
  searchSeconds: number;
}

export class PassageVectors {
  /** The vectors of one student state, searched from their file. */
  private held: { key: string; search(queries: Float32Array, k: number): Promise<Hits[]>; close(): void } | null = null;

  /**
   * Exact top-k passages for each query vector, encoding the collection first where this student state has no
   * vectors yet. `key` names the student state (its weights' fingerprint and passage length).
   */
  async search(
    data: Pick<EvalData, 'key' | 'folder' | 'passages' | 'checkSpace'>,
    model: VectorStudent,
    studentKey: string,
    lengths: Pick<PairLengths, 'passageLength' | 'forwardBatch'>,
    queries: Float32Array,
    k: number,
    onProgress: (phase: 'encoding' | 'searching', done: number, total: number) => void,
  ): Promise<DenseSearch> {
    const { passageLength, forwardBatch } = lengths;
    const key = `${data.key}|${studentKey}|p${passageLength}`;
    const passages: Collection = data.passages;
    let encoded = 0;
    let reused = 0;
    let encodeSeconds = 0;
    if (this.held?.key !== key) {
      this.release();
      const started = performance.now();
      let from = -1;
      const spec = { key, rows: passages.size, dim: model.vectorSize, batch: textsPerForward(forwardBatch), checkSpace: (bytes: number) => data.checkSpace(bytes, 'the passage vectors') };
      const file = await encodeToFile(data.folder, spec, embedRows(model, passages, passageLength), (done, total, resumedFrom) => {
        from = resumedFrom;
        onProgress('encoding', done, total);
      });
      reused = from < 0 ? passages.size : from;
      encoded = passages.size - reused;
      this.held = { key, search: (q, kk) => searchFileOnDevice(file, q, kk), close: () => file.close() };
      encodeSeconds = encoded > 0 ? (performance.now() - started) / 1000 : 0;
    } else {
      reused = passages.size;
    }
    const held = this.held;
    if (!held) throw new Error('the passage vectors were released while being searched');
    const started = performance.now();
    onProgress('searching', 0, 1);
    const hits = await held.search(queries, k);
    onProgress('searching', 1, 1);
    return { hits, encodeSeconds, encoded, reused, searchSeconds: (performance.now() - started) / 1000 };
  }

  /** Closes the vector file it holds (another student's vectors are coming, or the dataset is going). */
  release(): void {
    this.held?.close();
    this.held = null;
  }
}
