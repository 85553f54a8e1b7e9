// IndexedDB in Node for isolation; the browser tests run the same evaluation in the training worker, on OPFS.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { forEachChunk } from '../data/store/dataset-db';
import { padTokens, textColumns } from '../data/store/columns';
import type { TextColumns } from '../data/store/schema';
import { MemoryFolder } from '../data/rows/files';
import { buildTrainingFiles, openTrainingFiles, readManifest, type ChunkReader } from '../data/rows/training-files';
import { TokenRowWriter, TokenRows, rowShapeFor } from '../data/rows/token-rows';
import { runFromTeacher, textFile } from '../testing/fixtures';
import { importMsmarcoSample } from '../testing/sample-dataset';
import { storedCollection, tableCollection } from './collection';
import { devQueries, evaluateReranking, type Scorer } from './rerank';
import { evalDataFrom } from './eval-data';
import { bm25IndexOf } from './bm25.reference';
import { teacherScores } from './rerank.reference';
import { phaseProgress } from './session';

const tok = (t: string) => Int32Array.from(t.split(' '), (w) => 4 + (w.length % 50));

/** Token rows written from chunks, as the training files hold them. */
async function rowsOf(chunks: TextColumns[]): Promise<TokenRows> {
  const folder = new MemoryFolder();
  const n = chunks.reduce((s, c) => s + c.id.length, 0);
  const file = await folder.open('p.rows', true);
  const writer = new TokenRowWriter(file, rowShapeFor(n, 8, 0, 100), 'p.rows');
  chunks.forEach((c) => writer.append(c));
  writer.finish();
  return TokenRows.open(await folder.open('p.rows', false), 'p.rows');
}

describe('a collection read from token rows and stored chunks', () => {
  const chunks = [
    textColumns([{ id: 40, text: 'first chunk one' }, { id: 10, text: 'first chunk two words' }], tok),
    textColumns([{ id: 30, text: 'second chunk' }], tok),
    textColumns([{ id: 20, text: 'third chunk only one' }, { id: 50, text: 'and the last' }], tok),
  ];
  const whole = textColumns(
    chunks.flatMap((c) => Array.from(c.id, (id, r) => ({ id, text: new TextDecoder().decode(c.text.subarray(c.textOffsets[r], c.textOffsets[r + 1])) }))),
    tok,
  );

  it('gives the ids, rows, tokens and texts of the whole table, reading each chunk once', async () => {
    const reads: number[] = [];
    const stored = storedCollection(await rowsOf(chunks), [2, 1, 2], async (k) => {
      reads.push(k);
      return chunks[k] as TextColumns;
    });
    const table = tableCollection(whole);
    expect(stored.size).toBe(5);
    for (let r = 0; r < 5; r++) expect(stored.idOf(r)).toBe(table.idOf(r));
    for (const id of [10, 20, 30, 40, 50, 99]) expect(stored.rowOf(id)).toBe(table.rowOf(id));
    expect(Array.from(stored.padded([4, 0, 3], 4))).toEqual(Array.from(padTokens(whole, [4, 0, 3], 4)));
    expect(await stored.texts([4, 1, 0, 3])).toEqual(['and the last', 'first chunk two words', 'first chunk one', 'third chunk only one']);
    expect(await stored.texts([4, 1, 0, 3])).toEqual(await table.texts([4, 1, 0, 3]));
    // Rows 4, 1, 0, 3 live in chunks 2, 0, 0, 2: two chunk reads per call, in chunk order.
    expect(reads).toEqual([0, 2, 0, 2]);
    await expect(stored.texts([5])).rejects.toThrow('p.rows: row 5 does not exist (the collection has 5 rows)');
  });

  it('refuses chunk counts that do not add up to the rows, and a chunk that changed', async () => {
    const rows = await rowsOf(chunks);
    expect(() => storedCollection(rows, [2, 2], async () => chunks[0] as TextColumns)).toThrow('p.rows: its 5 rows are not the 4 rows of the stored chunks');
    const stored = storedCollection(rows, [2, 1, 2], async () => chunks[1] as TextColumns);
    await expect(stored.texts([0])).rejects.toThrow('stored chunk 0 has 1 rows, the files expect 2; the dataset changed');
  });
});

describe('evaluation from the files equals evaluation from the whole tables (MS MARCO sample)', () => {
  it('gives the same report: BM25 from its files, passages from token rows, the teacher read chunk by chunk', async () => {
    const { info, passages, queries, qrels, candidates, triples } = await importMsmarcoSample('eval-files-sample', [textFile('teacher.run', runFromTeacher('msmarco-sample/teacher-ids.tsv', 'teacher'))]);
    const dev = new Set(devQueries({ queries: queries, qrels: qrels }, 1));
    // The dataset's files as the training worker builds them from the stored chunks, in a folder in memory.
    const folder = new MemoryFolder();
    const read: ChunkReader = (table, visit) => forEachChunk(info.id, table, visit);
    const data = evalDataFrom(info, queries, await openTrainingFiles(folder, await buildTrainingFiles(folder, read, info.counts)), folder);
    const stored = data.passages;
    const built = await data.bm25();
    const bm25 = built.index;
    const teacher = await data.teacher(dev);
    expect(teacher.size).toBeGreaterThan(0);
    // Only the queries asked for are kept: one query gives its own scores, as the whole table has them.
    const q = [...teacher.keys()][0]!;
    expect(await data.teacher(new Set([q]))).toEqual(teacherScores(triples, new Set([q])));
    expect((await data.teacher(new Set([q]))).size).toBe(1);

    const table = tableCollection(passages);
    // A "student" that reads the tokens it is given: each pair scores the sum of its passage's first 8 token ids.
    const scorerOf =
      (source: typeof table): Scorer =>
      async (_q, p) => {
        const m = source.padded(p, 8);
        return Float32Array.from(p, (_, i) => m.subarray(i * 8, i * 8 + 8).reduce((s, x) => s + x, 0));
      };
    const common = { queries: queries, qrels: qrels, candidates, runs: info.runs ?? [] };
    const fromFiles = await evaluateReranking({ ...common, passages: stored, teacher }, { threshold: 1, depth: 50 }, scorerOf(stored), () => undefined, bm25);
    const fromTables = await evaluateReranking({ ...common, passages: table, teacher: teacherScores(triples) }, { threshold: 1, depth: 50 }, scorerOf(table), () => undefined, bm25IndexOf(passages));
    const { bm25SecondsPerQuery: _a, studentSeconds: _b, ...a } = fromFiles;
    const { bm25SecondsPerQuery: _c, studentSeconds: _d, ...b } = fromTables;
    expect(a).toEqual(b);
    expect(a.rows.map((r) => r.system)).toEqual(['student', 'bm25', 'teacher', 'run:teacher.run']);
    expect(a.perQuery[0]!.top[0]!.text.length).toBeGreaterThan(0);
    // The index is built once per dataset version: asked again, or by a later session on the same folder, it is there.
    expect(await data.bm25()).toEqual({ index: bm25, seconds: 0 });
    data.close();
    const later = evalDataFrom(info, queries, await openTrainingFiles(folder, (await readManifest(folder))!), folder);
    expect((await later.bm25()).seconds).toBe(0);
    later.close();
  });
});

describe('phaseProgress', () => {
  it('measures each phase from its own start and first count', () => {
    let now = 0;
    const seen: [string, number][] = [];
    const progress = phaseProgress((phase, _d, _t, rate) => seen.push([phase, rate]), () => now);
    progress('indexing', 0, 100);
    now = 2000;
    progress('indexing', 50, 100);
    // Encoding resumes at 600 of 1,000 rows: its rate counts only what this call encoded.
    progress('encoding', 600, 1000);
    now = 4000;
    progress('encoding', 800, 1000);
    expect(seen).toEqual([
      ['indexing', 0],
      ['indexing', 25],
      ['encoding', 0],
      ['encoding', 100],
    ]);
  });
});
