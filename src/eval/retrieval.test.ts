import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { DotStudent } from '../model/students/dot';
import { padTokens, textColumns } from '../data/store/columns';
import { tokenize } from '../text/hashing';
import { tokenBatch } from '../model/layers/transformer';
import { tableCollection } from './collection';
import { encodeRows, searchTopK, SEARCH_CHUNK } from './retrieval';
import { Rng } from '../util/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('dense retrieval', () => {
  it('finds exactly the top k by dot product across chunk boundaries', async () => {
    const hidden = 4;
    const n = SEARCH_CHUNK + 300;
    const rng = new Rng(3);
    const passages = Float32Array.from({ length: n * hidden }, () => rng.next() * 2 - 1);
    const queries = Float32Array.from({ length: 3 * hidden }, () => rng.next() * 2 - 1);
    const hits = await searchTopK(queries, passages, hidden, 25);
    for (let q = 0; q < 3; q++) {
      const dots = Array.from({ length: n }, (_, p) => {
        let s = 0;
        for (let h = 0; h < hidden; h++) s += (queries[q * hidden + h] as number) * (passages[p * hidden + h] as number);
        return [s, p] as [number, number];
      }).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      expect(Array.from(hits[q]!.rows)).toEqual(dots.slice(0, 25).map((d) => d[1]));
      expect(hits[q]!.scores[0]).toBeCloseTo(dots[0]![0], 4);
    }
  });

  it('encodes rows in batches to the same vectors as one forward pass', async () => {
    const spec = { kind: 'hash-words' as const, buckets: 64 };
    const cols = textColumns(
      Array.from({ length: 150 }, (_, i) => ({ id: i, text: `passage ${i} about topic ${i % 7} and more words ${i * 3}` })),
      (t) => tokenize(t, spec),
    );
    const model = new DotStudent({ queryLength: 8, passageLength: 12, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, 1);
    const rows = Int32Array.from([149, 0, 77, 130]);
    const vectors = await encodeRows(model, tableCollection(cols), Int32Array.from({ length: 150 }, (_, i) => i), 12);
    const direct = tf.tidy(() => model.embed(tokenBatch(padTokens(cols, rows, 12), rows.length, 12)));
    const expected = (await direct.data()) as Float32Array;
    direct.dispose();
    rows.forEach((row, i) => {
      for (let h = 0; h < 8; h++) expect(vectors[row * 8 + h]).toBeCloseTo(expected[i * 8 + h] as number, 4);
    });
    model.dispose();
  });
});
