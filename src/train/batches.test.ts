import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { BatchSampler, sliceBatch, splitProbe, type Batch } from './batches';

const pool = Int32Array.from({ length: 103 }, (_, i) => 1000 + i);

describe('BatchSampler', () => {
  it('draws every training triple exactly once per epoch, across epochs and batch boundaries', () => {
    const sampler = new BatchSampler(pool, 10, new Rng(4));
    const drawn: number[] = [];
    // 31 batches of 10 = 310 draws: three whole epochs of 103 and one more draw.
    for (let b = 0; b < 31; b++) drawn.push(...sampler.next());
    for (let e = 0; e < 3; e++) expect(drawn.slice(e * 103, (e + 1) * 103).sort((x, y) => x - y)).toEqual(Array.from(pool));
    expect(sampler.epoch).toBe(3);
    // Shuffled: an epoch is not the pool's order, and two epochs differ.
    expect(drawn.slice(0, 103)).not.toEqual(Array.from(pool));
    expect(drawn.slice(0, 103)).not.toEqual(drawn.slice(103, 206));
  });

  it('shuffles as the array-based Fisher-Yates of earlier versions did, so a seed gives the same batches', () => {
    const reference = new Rng(42).shuffle(Array.from(pool));
    const sampler = new BatchSampler(pool, 103, new Rng(42));
    expect(Array.from(sampler.next())).toEqual(reference);
  });

  it('continues from a saved state exactly, in the middle of an epoch and across the next shuffle', () => {
    const a = new BatchSampler(pool, 8, new Rng(11));
    for (let b = 0; b < 9; b++) a.next();
    const saved = a.state();
    const expected = Array.from({ length: 30 }, () => Array.from(a.next()));
    const b = new BatchSampler(pool, 8, new Rng(999));
    b.restore(saved);
    expect(Array.from({ length: 30 }, () => Array.from(b.next()))).toEqual(expected);
    expect(b.epoch).toBe(a.epoch);
  });

  it('keeps a state that stays valid after the next reshuffle', () => {
    const a = new BatchSampler(pool, 50, new Rng(2));
    a.next();
    a.next();
    const before = a.state();
    const next = Array.from(a.next()); // crosses into epoch 1: a new order array
    const b = new BatchSampler(pool, 50, new Rng(0));
    b.restore(before);
    expect(Array.from(b.next())).toEqual(next);
  });

  it('holds a state of a few numbers, not the order, and makes the order again from them', () => {
    const a = new BatchSampler(pool, 8, new Rng(5));
    for (let i = 0; i < 20; i++) a.next(); // into the second epoch
    const saved = a.state();
    expect(Object.keys(saved).sort()).toEqual(['cursor', 'epoch', 'pool', 'rng', 'shuffle', 'size']);
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    const expected = Array.from({ length: 40 }, () => Array.from(a.next()));
    const b = new BatchSampler(pool, 8, new Rng(77));
    b.restore(JSON.parse(JSON.stringify(saved)));
    expect(Array.from({ length: 40 }, () => Array.from(b.next()))).toEqual(expected);
  });

  it('still continues from an old state that carries the order itself', () => {
    const a = new BatchSampler(pool, 8, new Rng(6));
    for (let i = 0; i < 3; i++) a.next();
    // What an old checkpoint held: this epoch's order as the batches so far and to come show it.
    const probe = new BatchSampler(pool, 8, new Rng(6));
    const state = probe.state();
    const order = Int32Array.from(Array.from({ length: Math.ceil(pool.length / 8) }, () => Array.from(probe.next())).flat().slice(0, pool.length));
    const old = { ...state, shuffle: -1, cursor: 24, order };
    delete old.pool;
    const expected = Array.from({ length: 30 }, () => Array.from(a.next()));
    const b = new BatchSampler(pool, 8, new Rng(1));
    b.restore(old);
    expect(Array.from({ length: 30 }, () => Array.from(b.next()))).toEqual(expected);
  });

  it('refuses a state made from another pool of the same size', () => {
    const a = new BatchSampler(pool, 8, new Rng(1));
    const shifted = new BatchSampler(pool.map((x) => x + 1), 8, new Rng(1));
    expect(() => a.restore(shifted.state())).toThrow("the checkpoint's sampler drew from another set of training triples");
  });

  it('refuses a state made for another number of triples', () => {
    const a = new BatchSampler(pool, 8, new Rng(1));
    const other = new BatchSampler(pool.subarray(0, 50), 8, new Rng(1));
    expect(() => a.restore(other.state())).toThrow("the checkpoint's sampler holds 50 triples, this dataset 103");
  });
});

describe('splitProbe', () => {
  it('holds out queries, at most probeSize triples, and keeps the rest for training', () => {
    // Query q has q + 1 triples: 1, 2, ..., 10 (55 in all), interleaved.
    const qid: number[] = [];
    for (let round = 0; round < 10; round++) for (let q = 0; q < 10; q++) if (round <= q) qid.push(q);
    // Query q sits in row 9 - q, so rows and ids run opposite ways.
    const data = { size: qid.length, queryIds: Int32Array.from({ length: 10 }, (_, r) => 9 - r), scanQueryRows: (visit: (rows: Int32Array, first: number) => void) => visit(Int32Array.from(qid, (q) => 9 - q), 0) };
    const { train, probe } = splitProbe(data, 12, 3);
    expect(train.length + probe.length).toBe(55);
    expect(probe.length).toBeLessThanOrEqual(12);
    expect(new Set([...train, ...probe]).size).toBe(55);
    // Queries are held out until they cover probeSize triples; triples are then dealt in order until the probe set
    // is full, so a query can straddle both sides only when the probe set is full.
    const side = (idx: Int32Array) => new Set(Array.from(idx, (i) => qid[i] as number));
    const both = [...side(probe)].filter((q) => side(train).has(q));
    if (both.length > 0) expect(probe.length).toBe(12);
    // With room for everything, whole queries are held out and at least one stays for training.
    const wide = splitProbe(data, 1000, 3);
    expect([...side(wide.probe)].filter((q) => side(wide.train).has(q))).toEqual([]);
    expect(side(wide.train).size).toBe(1);
    expect(splitProbe(data, 12, 3)).toEqual({ train, probe });
  });
});

/** The split as earlier versions computed it: distinct query ids sorted and shuffled, a list of triples per query. */
function referenceSplit(qid: number[], probeSize: number, seed: number): { train: number[]; probe: number[] } {
  const qids = [...new Set(qid)].sort((a, b) => a - b);
  new Rng(seed ^ 0x5eed).shuffle(qids);
  const perQuery = new Map<number, number[]>();
  qid.forEach((q, i) => perQuery.set(q, [...(perQuery.get(q) ?? []), i]));
  const probeQueries = new Set<number>();
  let taken = 0;
  for (const q of qids) {
    if (taken >= probeSize || probeQueries.size >= qids.length - 1) break;
    probeQueries.add(q);
    taken += perQuery.get(q)?.length ?? 0;
  }
  const train: number[] = [];
  const probe: number[] = [];
  qid.forEach((q, i) => (probeQueries.has(q) && probe.length < probeSize ? probe : train).push(i));
  return { train, probe };
}

describe('splitProbe by query rows', () => {
  it('holds out the same triples as the split by query ids of earlier versions', () => {
    const rng = new Rng(8);
    // 60 queries with scattered ids in rows of a shuffled order; 500 triples, unevenly spread over them.
    const ids = rng.shuffle(Array.from({ length: 60 }, (_, i) => 1000 + i * 37 - (i % 7) * 11));
    const rowOf = new Map(ids.map((id, row) => [id, row]));
    const qid = Array.from({ length: 500 }, () => ids[Math.floor(60 * rng.next() ** 2)] as number);
    const rows = Int32Array.from(qid, (q) => rowOf.get(q) as number);
    const data = {
      size: qid.length,
      queryIds: Int32Array.from(ids),
      // In blocks, as the stored triples are scanned.
      scanQueryRows: (visit: (rows: Int32Array, first: number) => void) => {
        for (let first = 0; first < rows.length; first += 128) visit(rows.subarray(first, first + 128), first);
      },
    };
    for (const [probeSize, seed] of [[16, 1], [64, 42], [200, 7], [1000, 3]] as const) {
      const got = splitProbe(data, probeSize, seed);
      const want = referenceSplit(qid, probeSize, seed);
      expect(Array.from(got.probe)).toEqual(want.probe);
      expect(Array.from(got.train)).toEqual(want.train);
    }
  });
});

describe('sliceBatch', () => {
  // Three triples, query length 2 and passage length 3: triple t's tokens are numbered from 100·t.
  const batch: Batch = {
    size: 3,
    query: Int32Array.from({ length: 6 }, (_, i) => 100 * Math.floor(i / 2) + (i % 2)),
    pos: Int32Array.from({ length: 9 }, (_, i) => 100 * Math.floor(i / 3) + 10 + (i % 3)),
    neg: Int32Array.from({ length: 9 }, (_, i) => 100 * Math.floor(i / 3) + 20 + (i % 3)),
    teacherPos: Float32Array.of(1, 2, 3),
    teacherNeg: Float32Array.of(-1, -2, -3),
  };

  it('takes the rows of triples [from, from + count) from every array, without copying', () => {
    const s = sliceBatch(batch, 1, 2, 2, 3);
    expect(s.size).toBe(2);
    expect(Array.from(s.query)).toEqual([100, 101, 200, 201]);
    expect(Array.from(s.pos)).toEqual([110, 111, 112, 210, 211, 212]);
    expect(Array.from(s.neg)).toEqual([120, 121, 122, 220, 221, 222]);
    expect(Array.from(s.teacherPos)).toEqual([2, 3]);
    expect(Array.from(s.teacherNeg)).toEqual([-2, -3]);
    expect(s.pos.buffer).toBe(batch.pos.buffer);
  });

  it('refuses a range outside the batch', () => {
    expect(() => sliceBatch(batch, 2, 2, 2, 3)).toThrow('triples 2 to 3 are not all in a batch of 3');
    expect(() => sliceBatch(batch, 0, 0, 2, 3)).toThrow('triples 0 to -1 are not all in a batch of 3');
  });
});
