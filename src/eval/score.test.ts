import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { DotStudent } from '../model/students/dot';
import { padTokens, textColumns } from '../data/store/columns';
import { tokenize } from '../text/hashing';
import { tokenBatch } from '../model/layers/transformer';
import { scorePairs, SCORE_BATCH } from './score';
import { tableCollection } from './collection';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('scorePairs', () => {
  it('gives each pair the score of one forward pass, across several read-backs, and leaves no tensors behind', async () => {
    const spec = { kind: 'hash-words' as const, buckets: 64 };
    const tok = (t: string) => tokenize(t, spec);
    const passages = textColumns(Array.from({ length: 40 }, (_, i) => ({ id: i, text: `passage ${i} words ${i % 5} more ${i * 7}` })), tok);
    const queries = textColumns(Array.from({ length: 6 }, (_, i) => ({ id: i, text: `query ${i} words ${i % 3}` })), tok);
    const model = new DotStudent({ queryLength: 6, passageLength: 10, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, 2);
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
});
