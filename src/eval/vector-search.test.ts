import { describe, expect, it } from 'vitest';
import { cpuChunkTopK, searchVectors, vectorsInMemory, type ChunkTopK } from './vector-search';
import { encodeToFile, searchFile } from './vectors';
import { MemoryFolder } from '../data/rows/files';
import { Rng } from '../util/random';

function randomVectors(rng: Rng, rows: number, dim: number): Float32Array {
  return Float32Array.from({ length: rows * dim }, () => rng.next() * 2 - 1);
}

/**
 * Top k from the definition: every dot product (summed in double precision, stored as float32), all sorted by score
 * descending and then row ascending, the first k kept.
 */
function bruteForceTopK(queries: Float32Array, passages: Float32Array, dim: number, k: number): { rows: number[]; scores: number[] }[] {
  const n = passages.length / dim;
  return Array.from({ length: queries.length / dim }, (_, q) => {
    const all = Array.from({ length: n }, (_, p) => {
      let s = 0;
      for (let h = 0; h < dim; h++) s += (queries[q * dim + h] as number) * (passages[p * dim + h] as number);
      return { row: p, score: Math.fround(s) };
    }).sort((a, b) => b.score - a.score || a.row - b.row);
    const top = all.slice(0, k);
    return { rows: top.map((t) => t.row), scores: top.map((t) => t.score) };
  });
}

const plain = (hits: { rows: Int32Array; scores: Float32Array }[]) => hits.map((h) => ({ rows: Array.from(h.rows), scores: Array.from(h.scores) }));

describe('searchVectors', () => {
  it('finds the top k of the definition, in a file or in memory, with chunks smaller than k, uneven, and whole', async () => {
    const rng = new Rng(7);
    const dim = 7;
    const rows = 203;
    const passages = randomVectors(rng, rows, dim);
    const queries = randomVectors(rng, 5, dim);
    const file = await encodeToFile(new MemoryFolder(), { key: 'random', rows, dim, batch: 50 }, async (from, to) => passages.slice(from * dim, to * dim));
    try {
      for (const k of [1, 10, 250]) {
        const expected = bruteForceTopK(queries, passages, dim, k);
        expect(expected[0]?.rows.length).toBe(Math.min(k, rows));
        for (const chunk of [1, 3, 10, 64, 203, 1000]) {
          expect(plain(await searchFile(file, queries, k, cpuChunkTopK, chunk)), `file, k ${k}, chunks of ${chunk}`).toEqual(expected);
          expect(plain(await searchVectors(vectorsInMemory(passages, dim), queries, k, cpuChunkTopK, chunk)), `memory, k ${k}, chunks of ${chunk}`).toEqual(expected);
        }
      }
    } finally {
      file.close();
    }
  });

  it('keeps, among equal scores, the lowest rows, across chunks and at the cut-off', async () => {
    // 5 distinct vectors repeated over 61 rows: every score is shared by about 12 rows, so the cut-off at k = 8 falls
    // inside a run of ties, and each run spans chunks of 4 and 9 rows.
    const rng = new Rng(11);
    const dim = 3;
    const distinct = randomVectors(rng, 5, dim);
    const passages = new Float32Array(61 * dim);
    for (let p = 0; p < 61; p++) {
      const which = rng.int(5);
      passages.set(distinct.subarray(which * dim, which * dim + dim), p * dim);
    }
    const queries = randomVectors(rng, 3, dim);
    for (const chunk of [1, 4, 9, 61, 100]) {
      expect(plain(await searchVectors(vectorsInMemory(passages, dim), queries, 8, cpuChunkTopK, chunk)), `chunks of ${chunk}`).toEqual(bruteForceTopK(queries, passages, dim, 8));
    }
  });

  it('takes ties within a chunk in any order, as long as the scores descend', async () => {
    const dim = 2;
    // Rows 0..5 alternate between two vectors: scores a, b, a, b, a, b for one query.
    const passages = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]);
    const queries = Float32Array.from([2, 1]);
    const reversedTies: ChunkTopK = async (q, m, chunk, c, d, k) => {
      const { values, indices } = await cpuChunkTopK(q, m, chunk, c, d, k);
      // The same k hits per query, but equal scores with the higher index first.
      const v = (j: number) => values[j] as number;
      const i = (j: number) => indices[j] as number;
      const order = Array.from({ length: m * k }, (_, j) => j).sort((x, y) => Math.floor(x / k) - Math.floor(y / k) || v(y) - v(x) || i(y) - i(x));
      return { values: Float32Array.from(order, v), indices: Int32Array.from(order, i) };
    };
    // Scores 2 (rows 0, 2, 4) then 1 (rows 1, 3, 5), in one chunk or in two.
    for (const chunk of [6, 3]) expect(plain(await searchVectors(vectorsInMemory(passages, dim), queries, 4, reversedTies, chunk))).toEqual([{ rows: [0, 2, 4, 1], scores: [2, 2, 2, 1] }]);
  });

  it('returns every row when k exceeds the collection, and nothing for no queries', async () => {
    const passages = Float32Array.from([1, 2, 3]);
    expect(plain(await searchVectors(vectorsInMemory(passages, 1), Float32Array.of(1), 10))).toEqual([{ rows: [2, 1, 0], scores: [3, 2, 1] }]);
    expect(await searchVectors(vectorsInMemory(passages, 1), new Float32Array(0), 10)).toEqual([]);
    expect(plain(await searchVectors(vectorsInMemory(new Float32Array(0), 4), new Float32Array(4), 3))).toEqual([{ rows: [], scores: [] }]);
  });

  it('refuses bad arguments and a chunkTopK that breaks its contract', async () => {
    const source = vectorsInMemory(Float32Array.from([1, 2, 3, 4]), 2);
    await expect(searchVectors(source, Float32Array.of(1, 2, 3), 1)).rejects.toThrow('3 query floats are not whole vectors of 2');
    await expect(searchVectors(source, Float32Array.of(1, 2), 0)).rejects.toThrow('k must be a positive whole number, not 0');
    await expect(searchVectors(source, Float32Array.of(1, 2), 1, cpuChunkTopK, 0)).rejects.toThrow('rows per chunk');
    expect(() => vectorsInMemory(Float32Array.of(1, 2, 3), 2)).toThrow('3 floats are not whole vectors of 2');
    const ascending: ChunkTopK = async () => ({ values: Float32Array.of(1, 2), indices: Int32Array.of(0, 1) });
    await expect(searchVectors(source, Float32Array.of(1, 2), 2, ascending)).rejects.toThrow("query 0's hits out of order");
    const short: ChunkTopK = async () => ({ values: Float32Array.of(1), indices: Int32Array.of(0) });
    await expect(searchVectors(source, Float32Array.of(1, 2), 2, short)).rejects.toThrow('returned 1 scores and 1 indices for 1 queries × 2');
    const outside: ChunkTopK = async () => ({ values: Float32Array.of(2, 1), indices: Int32Array.of(0, 5) });
    await expect(searchVectors(source, Float32Array.of(1, 2), 2, outside)).rejects.toThrow('index 5 in a chunk of 2 rows');
  });
});
