import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { DotStudent } from '../model/students/dot/model';
import { padTokens, textColumns } from '../data/store/columns';
import { tokenize } from '../text/hashing';
import { tokenBatch } from '../model/layers/transformer';
import { boundedBatch, pairsPerForward, scorePairs, SCORE_BATCH } from './score';
import { ENCODE_BATCH, encodeRows, textsPerForward } from './retrieval';
import { tableCollection } from './collection';
import { FUSED_KERNELS } from '../model/kernels';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('scorePairs', () => {
  it('gives each pair the score of one forward pass, across several read-backs, and leaves no tensors behind', async () => {
    const spec = { kind: 'hash-words' as const, buckets: 64 };
    const tok = (t: string) => tokenize(t, spec);
    const passages = textColumns(Array.from({ length: 40 }, (_, i) => ({ id: i, text: `passage ${i} words ${i % 5} more ${i * 7}` })), tok);
    const queries = textColumns(Array.from({ length: 6 }, (_, i) => ({ id: i, text: `query ${i} words ${i % 3}` })), tok);
    const model = new DotStudent({ queryLength: 6, passageLength: 10, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, 2, FUSED_KERNELS);
    // More pairs than 8 batches of 64, so the scores come back in more than one read-back.
    const n = SCORE_BATCH * 8 + 37;
    const qRows = Int32Array.from({ length: n }, (_, i) => i % 6);
    const pRows = Int32Array.from({ length: n }, (_, i) => (i * 7) % 40);
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const scores = await scorePairs(model, { queries: tableCollection(queries), passages: tableCollection(passages) }, qRows, pRows, { queryLength: 6, passageLength: 10 }, (d) => progress.push(d));
    expect(tf.memory().numTensors).toBe(before);
    expect(progress.at(-1)).toBe(n);
    for (const i of [0, 63, 64, 511, 512, n - 1]) {
      const direct = tf.tidy(() =>
        model.scorePairs(tokenBatch(padTokens(queries, qRows.subarray(i, i + 1), 6), 1, 6), tokenBatch(padTokens(passages, pRows.subarray(i, i + 1), 10), 1, 10)),
      );
      expect(scores[i]).toBeCloseTo(((await direct.data()) as Float32Array)[0] as number, 4);
      direct.dispose();
    }
    model.dispose();
  });

  it('takes at most forwardBatch pairs per forward, with the scores of the default batches', async () => {
    const spec = { kind: 'hash-words' as const, buckets: 64 };
    const tok = (t: string) => tokenize(t, spec);
    const passages = textColumns(Array.from({ length: 12 }, (_, i) => ({ id: i, text: `passage ${i} words ${i % 5}` })), tok);
    const queries = textColumns(Array.from({ length: 3 }, (_, i) => ({ id: i, text: `query ${i} words` })), tok);
    const model = new DotStudent({ queryLength: 6, passageLength: 10, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, 3, FUSED_KERNELS);
    const sizes: number[] = [];
    const counting = { scorePairs: (q: Parameters<DotStudent['scorePairs']>[0], p: Parameters<DotStudent['scorePairs']>[1]) => (sizes.push(q.host?.rows ?? -1), model.scorePairs(q, p)) };
    const tables = { queries: tableCollection(queries), passages: tableCollection(passages) };
    const qRows = Int32Array.from({ length: 23 }, (_, i) => i % 3);
    const pRows = Int32Array.from({ length: 23 }, (_, i) => (i * 5) % 12);
    const whole = await scorePairs(counting, tables, qRows, pRows, { queryLength: 6, passageLength: 10 });
    expect(sizes).toEqual([23]);
    sizes.length = 0;
    const bounded = await scorePairs(counting, tables, qRows, pRows, { queryLength: 6, passageLength: 10, forwardBatch: 5 });
    // 23 pairs as 5 + 5 + 5 + 5 + 3.
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
    Array.from(whole).forEach((v, i) => expect(bounded[i]).toBeCloseTo(v, 5));
    model.dispose();
  });

  it('bounds the pairs and texts of a forward by the asked batch and the defaults', () => {
    expect(pairsPerForward({})).toBe(SCORE_BATCH);
    expect(pairsPerForward({ forwardBatch: 16 })).toBe(16);
    expect(pairsPerForward({ forwardBatch: 1000 })).toBe(SCORE_BATCH);
    expect(textsPerForward()).toBe(ENCODE_BATCH);
    expect(textsPerForward(16)).toBe(16);
    expect(textsPerForward(1000)).toBe(ENCODE_BATCH);
    expect(() => boundedBatch(0, 64)).toThrow('a forward batch must be a whole number of at least 1, got 0');
    expect(() => boundedBatch(2.5, 64)).toThrow('a forward batch must be a whole number of at least 1, got 2.5');
  });

  it('encodes texts at most forwardBatch per forward, to the vectors of the default batches', async () => {
    const tok = (t: string) => tokenize(t, { kind: 'hash-words', buckets: 64 });
    const passages = tableCollection(textColumns(Array.from({ length: 10 }, (_, i) => ({ id: i, text: `passage ${i} words ${i % 4}` })), tok));
    const model = new DotStudent({ queryLength: 6, passageLength: 10, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, 4, FUSED_KERNELS);
    const rows = Int32Array.from({ length: 10 }, (_, i) => i);
    const progress: number[] = [];
    const whole = await encodeRows(model, passages, rows, 10);
    const bounded = await encodeRows(model, passages, rows, 10, (d) => progress.push(d), 4);
    // A progress report per forward: 4 + 4 + 2.
    expect(progress).toEqual([4, 8, 10]);
    Array.from(whole).forEach((v, i) => expect(bounded[i]).toBeCloseTo(v, 5));
    model.dispose();
  });
});
