import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { DotStudent } from '../model/students/dot/model';
import { padTokens, textColumns } from '../data/store/columns';
import { tokenize } from '../text/hashing';
import { tokenBatch } from '../model/layers/transformer';
import { tableCollection } from './collection';
import { embedRows, encodeRows, searchFileOnDevice, SEARCH_CHUNK } from './retrieval';
import { searchTopK } from './retrieval.reference';
import { encodeToFile } from './vectors';
import { MemoryFile, MemoryFolder } from '../data/rows/files';
import { rowShapeFor, TokenRows, TokenRowWriter } from '../data/rows/token-rows';
import { Rng } from '../util/random';
import type { TokenSource } from './collection';
import { FUSED_KERNELS } from '../model/kernels';

const storedTokens = (rows: TokenRows): TokenSource => ({ padded: (r, length) => rows.gather(r, length) });

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
    const model = new DotStudent({ queryLength: 8, passageLength: 12, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, 1, FUSED_KERNELS);
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

  it('searches a vector file on the device to the rows it finds in memory, leaving no tensors behind', async () => {
    const hidden = 4;
    const n = 2 * SEARCH_CHUNK + 57;
    const rng = new Rng(5);
    const passages = Float32Array.from({ length: n * hidden }, () => rng.next() * 2 - 1);
    const queries = Float32Array.from({ length: 3 * hidden }, () => rng.next() * 2 - 1);
    const file = await encodeToFile(new MemoryFolder(), { key: 'random', rows: n, dim: hidden, batch: 1000 }, async (from, to) => passages.slice(from * hidden, to * hidden));
    const before = tf.memory().numTensors;
    const fromFile = await searchFileOnDevice(file, queries, 40);
    expect(tf.memory().numTensors).toBe(before);
    file.close();
    const inMemory = await searchTopK(queries, passages, hidden, 40);
    expect(fromFile.map((h) => Array.from(h.rows))).toEqual(inMemory.map((h) => Array.from(h.rows)));
    expect(fromFile[0]?.rows.length).toBe(40);
  });

  it('encodes a token-row file to a vector file with the vectors encodeRows gives', async () => {
    const spec = { kind: 'hash-words' as const, buckets: 64 };
    const cols = textColumns(
      Array.from({ length: 30 }, (_, i) => ({ id: i, text: `passage ${i} on topic ${i % 4} with words ${i * 5}` })),
      (t) => tokenize(t, spec),
    );
    const rowsFile = new MemoryFile();
    const writer = new TokenRowWriter(rowsFile, rowShapeFor(30, 16, 0, 63), 'passages.rows');
    writer.append(cols);
    writer.finish();
    const model = new DotStudent({ queryLength: 8, passageLength: 12, hidden: 8, heads: 2, ffn: 16, layers: 1, vocabSize: 64, pooling: 'mean', compressDim: 8, jointLayers: 1, cls: 1, sep: 2 }, 1, FUSED_KERNELS);
    const expected = await encodeRows(model, tableCollection(cols), Int32Array.from({ length: 30 }, (_, i) => i), 12);
    const before = tf.memory().numTensors;
    const file = await encodeToFile(new MemoryFolder(), { key: 'dot', rows: 30, dim: model.vectorSize, batch: 7 }, embedRows(model, storedTokens(TokenRows.open(rowsFile, 'passages.rows')), 12));
    expect(tf.memory().numTensors).toBe(before);
    const vectors = file.read(0, 30);
    file.close();
    expect(vectors.length).toBe(expected.length);
    vectors.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 5));
    model.dispose();
  });
});
