import { describe, expect, it } from 'vitest';
import { textColumns } from '../store/columns';
import type { TableColumns, TableName } from '../store/schema';
import { MemoryFolder, type RandomAccessFile } from './files';
import { buildTrainingFiles, MANIFEST, openTrainingFiles, readManifest, type ChunkReader } from './training-files';

const tok = (t: string) => Int32Array.from(t.split(' '), (w) => w.length * 10 + w.charCodeAt(0) % 10);

/** A reader over tables given as chunks, like forEachChunk over a stored dataset. */
function reader(chunks: { [T in TableName]?: TableColumns[T][] }): ChunkReader {
  return async (table, visit) => {
    for (const c of chunks[table] ?? []) await visit(c);
  };
}

const passages = [
  textColumns([{ id: 10, text: 'a tiny passage' }, { id: 30, text: 'another one here with more words' }], tok),
  textColumns([{ id: 20, text: 'third' }], tok),
];
const queries = [textColumns([{ id: 5, text: 'what is it' }, { id: 6, text: 'who' }], tok)];
const triples = [
  {
    qid: Int32Array.of(5, 6, 99, 5),
    pos: Int32Array.of(10, 20, 10, 30),
    neg: Int32Array.of(30, 10, 20, 404),
    posScore: Float32Array.of(1.5, 2.5, 3.5, 4.5),
    negScore: Float32Array.of(0.5, -1, 0, 0),
  },
  { qid: Int32Array.of(6), pos: Int32Array.of(30), neg: Int32Array.of(20), posScore: Float32Array.of(7), negScore: Float32Array.of(6) },
];
const counts = { passages: 3, queries: 2, triples: 5 };

describe('training files', () => {
  it('stores token rows in table order and triples as row numbers, dropping the unresolved ones', async () => {
    const folder = new MemoryFolder();
    const phases = new Set<string>();
    let last = 0;
    const manifest = await buildTrainingFiles(folder, reader({ passages, queries, triples }), counts, (phase, done, total) => {
      phases.add(phase);
      expect(done).toBeGreaterThanOrEqual(last);
      expect(total).toBe(2 * 3 + 2 * 2 + 5);
      last = done;
    });
    expect([...phases]).toEqual(['measuring', 'writing', 'resolving']);
    expect(last).toBe(15);
    // The longest passage has 6 words, the longest query 3; the ids are small, so 16-bit tokens.
    expect(manifest).toMatchObject({ passages: { rows: 3, width: 6, bytesPerToken: 2 }, queries: { rows: 2, width: 3, bytesPerToken: 2 }, triples: 3, unresolved: 2 });
    // Where each row's text is stored: passages in chunks of 2 and 1 rows, queries in one chunk.
    expect(manifest.chunkRows).toEqual({ passages: [2, 1], queries: [2] });
    expect(await readManifest(folder)).toEqual(manifest);
    const files = await openTrainingFiles(folder, manifest);
    expect(Array.from(files.passages.ids())).toEqual([10, 30, 20]);
    expect(Array.from(files.passages.gather([2, 1], 3))).toEqual([...tok('third'), 0, 0, ...tok('another one here')]);
    const all = files.triples.read([0, 1, 2]);
    // Triples 3 (query 99) and 4 (passage 404) name ids the dataset lacks.
    expect(Array.from(all.queryRow)).toEqual([0, 1, 1]);
    expect(Array.from(all.posRow)).toEqual([0, 2, 1]);
    expect(Array.from(all.negRow)).toEqual([1, 0, 2]);
    expect(Array.from(all.posScore)).toEqual([1.5, 2.5, 7]);
    expect(Array.from(all.negScore)).toEqual([0.5, -1, 6]);
    expect(() => files.triples.read([3])).toThrow('triples.records: triple 3 does not exist (the file has 3)');
    const scanned: number[] = [];
    files.triples.scan((rows, first) => rows.posRow.forEach((p, k) => (scanned[first + k] = p)));
    expect(scanned).toEqual([0, 2, 1]);
    files.close();
  });

  it('has no manifest, so counts as not built, until the build finishes', async () => {
    expect(await readManifest(new MemoryFolder())).toBeNull();
  });

  it('asks for the space the files need before writing any, and writes nothing when refused', async () => {
    const folder = new MemoryFolder();
    const asked: number[] = [];
    const refuse = async (bytes: number) => {
      asked.push(bytes);
      throw new Error('no room');
    };
    await expect(buildTrainingFiles(folder, reader({ passages, queries, triples }), counts, undefined, refuse)).rejects.toThrow('no room');
    // Passages: 3 rows of 4 (id) + 6 tokens × 2 bytes; queries: 2 rows of 4 + 3 × 2; triples: 5 records of 20 bytes.
    expect(asked).toEqual([3 * (4 + 12) + 2 * (4 + 6) + 5 * 20]);
    expect(await folder.list()).toEqual([]);
  });

  it('removes everything it wrote when the disk fills up part-way, and only that', async () => {
    const folder = new MemoryFolder();
    // Another index of the same dataset version (BM25's), which a failed build of the training files must keep.
    (await folder.open('bm25.index', true)).write(Uint8Array.of(1, 2, 3), 0);
    let writes = 0;
    // The tenth write fails as a full disk does.
    const open = folder.open.bind(folder);
    folder.open = async (name, create) => {
      const file = await open(name, create);
      if (!create) return file;
      const failing: RandomAccessFile = {
        read: (into, at) => file.read(into, at),
        write: (from, at) => {
          if (++writes === 10) throw new DOMException('quota', 'QuotaExceededError');
          file.write(from, at);
        },
        size: () => file.size(),
        flush: () => file.flush(),
        close: () => file.close(),
      };
      return failing;
    };
    const many = { ...triples[0]!, qid: new Int32Array(40000).fill(5), pos: new Int32Array(40000).fill(10), neg: new Int32Array(40000).fill(20), posScore: new Float32Array(40000), negScore: new Float32Array(40000) };
    await expect(buildTrainingFiles(folder, reader({ passages, queries, triples: [many] }), { ...counts, triples: 40000 })).rejects.toThrow('quota');
    expect(writes).toBe(10);
    expect(await folder.list()).toEqual(['bm25.index']);
    expect(folder.files.has(MANIFEST)).toBe(false);
  });
});
