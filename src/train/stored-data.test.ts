import { describe, expect, it } from 'vitest';
import { generateDemo } from '../data/demo/generator';
import { textColumns } from '../data/store/columns';
import type { TableColumns, TableName, TripleColumns } from '../data/store/schema';
import { MemoryFolder } from '../data/rows/files';
import { buildTrainingFiles, openTrainingFiles, type ChunkReader } from '../data/rows/training-files';
import { tokenize } from '../text/hashing';
import { splitProbe, type TrainingData, type TrainingTables } from './batches';
import { tableData } from './batches.reference';
import { storedData, tablesAsTrainingData } from './stored-data';

const tok = (t: string) => tokenize(t, { kind: 'hash-words', buckets: 30522 });

/** The demo data in chunks of `chunk` rows, with a repeated passage id and triples naming missing ids. */
function demo(chunk: number) {
  const d = generateDemo({ seed: 3, passages: 150, trainQueries: 40, devQueries: 0, negativesPerQuery: 3 });
  const passages = [...d.passages, { id: d.passages[4]!.id, text: 'the same id again, with another text' }];
  const triples: TripleColumns = {
    qid: Int32Array.from([...d.triples.map((t) => t.qid), 987654, d.triples[0]!.qid]),
    pos: Int32Array.from([...d.triples.map((t) => t.pos), d.triples[0]!.pos, 555555]),
    neg: Int32Array.from([...d.triples.map((t) => t.neg), d.triples[0]!.neg, d.triples[0]!.neg]),
    posScore: Float32Array.from([...d.triples.map((t) => t.posScore), 1, 2]),
    negScore: Float32Array.from([...d.triples.map((t) => t.negScore), 0, 1]),
  };
  const slices = <R>(rows: R[]) => Array.from({ length: Math.ceil(rows.length / chunk) }, (_, i) => rows.slice(i * chunk, (i + 1) * chunk));
  const chunks: { [T in TableName]?: TableColumns[T][] } = {
    passages: slices(passages).map((rows) => textColumns(rows, tok)),
    queries: slices(d.queries).map((rows) => textColumns(rows, tok)),
    triples: [triples],
  };
  const tables: TrainingTables = { passages: textColumns(passages, tok), queries: textColumns(d.queries, tok), triples };
  const read: ChunkReader = async (table, visit) => {
    for (const c of chunks[table] ?? []) await visit(c);
  };
  return { tables, read, counts: { passages: passages.length, queries: d.queries.length, triples: triples.qid.length } };
}

/** Every triple's batch, in a scrambled order, of two sources: equal token matrices and teacher scores. */
function expectSameBatches(a: TrainingData, b: TrainingData, lengths: readonly (readonly [number, number])[]) {
  expect(a.size).toBe(b.size);
  const all = Array.from({ length: b.size }, (_, i) => (i * 37) % b.size);
  for (const [q, p] of lengths) {
    const x = a.batch(all, q, p);
    const y = b.batch(all, q, p);
    expect(x.size).toBe(y.size);
    expect(Array.from(x.query)).toEqual(Array.from(y.query));
    expect(Array.from(x.pos)).toEqual(Array.from(y.pos));
    expect(Array.from(x.neg)).toEqual(Array.from(y.neg));
    expect(Array.from(x.teacherPos)).toEqual(Array.from(y.teacherPos));
    expect(Array.from(x.teacherNeg)).toEqual(Array.from(y.teacherNeg));
  }
}

describe('storedData: the training files, a batch at a time', () => {
  for (const standardize of [false, true]) {
    it(`makes the batches the whole tables make${standardize ? ', with standardised teacher scores' : ''}`, async () => {
      const { tables, read, counts } = demo(32);
      const folder = new MemoryFolder();
      const files = await openTrainingFiles(folder, await buildTrainingFiles(folder, read, counts));
      const stored = storedData(files, standardize);
      const whole = tableData(tables, standardize);
      expect(stored.size).toBe(whole.size);
      expect(stored.unresolved).toBe(2);
      expect(whole.unresolved).toBe(2);
      const qids = (d: typeof whole) => {
        const out: number[] = [];
        d.scanQueryRows((rows, first) => rows.forEach((r, k) => (out[first + k] = d.queryIds[r] as number)));
        return out;
      };
      expect(qids(stored)).toEqual(qids(whole));
      expect(splitProbe(stored, 20, 7)).toEqual(splitProbe(whole, 20, 7));
      // Every triple, at lengths shorter and longer than the stored widths.
      expectSameBatches(stored, whole, [[4, 9], [30, 600]]);
      const all = Array.from({ length: whole.size }, (_, i) => i);
      if (standardize) expect(Array.from(stored.batch(all, 1, 1).teacherPos)).not.toEqual(Array.from(tables.triples.posScore.slice(0, all.length)));
      stored.close();
      expect(() => stored.batch([0], 4, 4)).toThrow('the training files were closed: this run has ended, start a new one');
    });
  }

  it('reads small tables in memory (the lab, the benches, unit tests) through the same files, with the same batches', async () => {
    const { tables } = demo(32);
    for (const standardize of [false, true]) {
      const inMemory = await tablesAsTrainingData(tables, standardize);
      const whole = tableData(tables, standardize);
      expect(inMemory.unresolved).toBe(2);
      expect(splitProbe(inMemory, 20, 7)).toEqual(splitProbe(whole, 20, 7));
      expectSameBatches(inMemory, whole, [[6, 12]]);
      inMemory.close();
    }
  });
});
