import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { DotStudent } from '../model/students/dot/model';
import { textColumns } from '../data/store/columns';
import { MemoryFolder } from '../data/rows/files';
import { tokenize } from '../text/hashing';
import { tableCollection } from './collection';
import { PassageVectors, weightsFingerprint } from './passage-vectors';
import { encodeRows } from './retrieval';
import { searchTopK } from './retrieval.reference';
import { FUSED_KERNELS } from '../model/kernels';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const spec = { kind: 'hash-words' as const, buckets: 64 };
const passages = tableCollection(textColumns(Array.from({ length: 300 }, (_, i) => ({ id: 1000 + i, text: `passage ${i} on topic ${i % 9} with words ${i * 5}` })), (t) => tokenize(t, spec)));
const student = (seed: number) => new DotStudent({ queryLength: 6, passageLength: 10, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, seed, FUSED_KERNELS);

describe('passage vectors for dense retrieval', () => {
  it('names weights by their values: the same weights give the same fingerprint, a changed weight another', async () => {
    const a = student(1);
    const b = student(1);
    const c = student(2);
    expect(await weightsFingerprint(a)).toBe(await weightsFingerprint(b));
    expect(await weightsFingerprint(a)).not.toBe(await weightsFingerprint(c));
    const [, v] = [...b.params.vars][0]!;
    v.assign(tf.add(v, 1e-3));
    expect(await weightsFingerprint(a)).not.toBe(await weightsFingerprint(b));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('encodes into a file once per student state and finds what a search over the vectors in memory finds', async () => {
    const model = student(3);
    const queries = Float32Array.from({ length: 3 * model.vectorSize }, (_, i) => Math.sin(i));
    const expected = await searchTopK(queries, await encodeRows(model, passages, Int32Array.from({ length: 300 }, (_, i) => i), 10), model.vectorSize, 20);
    const asked: number[] = [];
    const data = { key: 'dataset@1', folder: new MemoryFolder(), passages, checkSpace: async (bytes: number) => void asked.push(bytes) };
    const vectors = new PassageVectors();
    const phases = new Set<string>();
    const first = await vectors.search(data, model, 'dot:abc', { passageLength: 10 }, queries, 20, (phase) => phases.add(phase));
    expect(first).toMatchObject({ encoded: 300, reused: 0 });
    // The space was asked for first: 300 vectors of 4-byte floats and the header.
    expect(asked).toEqual([300 * model.vectorSize * 4 + 288]);
    expect([...phases]).toEqual(['encoding', 'searching']);
    first.hits.forEach((h, q) => {
      expect(Array.from(h.rows)).toEqual(Array.from(expected[q]!.rows));
      h.scores.forEach((s, j) => expect(s).toBeCloseTo(expected[q]!.scores[j]!, 4));
    });
    // The same student again: the vectors are there.
    expect(await vectors.search(data, model, 'dot:abc', { passageLength: 10 }, queries, 20, () => undefined)).toMatchObject({ encoded: 0, reused: 300, encodeSeconds: 0 });
    // Another session (a reopened tab) finds the finished file of the same student.
    const later = new PassageVectors();
    vectors.release();
    expect(await later.search(data, model, 'dot:abc', { passageLength: 10 }, queries, 20, () => undefined)).toMatchObject({ encoded: 0, reused: 300 });
    // Another student state encodes anew.
    later.release();
    expect(await later.search(data, model, 'dot:def', { passageLength: 10 }, queries, 20, () => undefined)).toMatchObject({ encoded: 300, reused: 0 });
    later.release();
    // Refused space: nothing is written, and the vectors of the earlier student stay as they were.
    const before = data.folder.files.get('vectors.f32')!.contents();
    const refusing = { ...data, checkSpace: async (bytes: number) => Promise.reject(new Error(`the passage vectors need ${bytes} bytes`)) };
    await expect(later.search(refusing, model, 'dot:ghi', { passageLength: 10 }, queries, 20, () => undefined)).rejects.toThrow(`the passage vectors need ${300 * model.vectorSize * 4 + 288} bytes`);
    expect(data.folder.files.get('vectors.f32')!.contents()).toEqual(before);
    model.dispose();
  });
});
