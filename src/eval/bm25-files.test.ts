import { describe, expect, it } from 'vitest';
import { textColumns } from '../data/store/columns';
import type { TextColumns } from '../data/store/schema';
import { MemoryFile, MemoryFolder } from '../data/rows/files';
import { fixtureBytes } from '../testing/fixtures';
import { bm25Terms, idf, topK } from './bm25';
import { buildBm25Index } from './bm25.reference';
import { BM25_INDEX, BM25_MANIFEST, buildBm25Files, openBm25Files, openIndexBytes, POSTINGS_CACHE_BYTES, readBm25Manifest, type PassageChunks } from './bm25-files';

/** An `id<TAB>text` fixture as rows. */
function rows(relative: string): { id: number; text: string }[] {
  return fixtureBytes(relative)
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => ({ id: Number(l.slice(0, l.indexOf('\t'))), text: l.slice(l.indexOf('\t') + 1) }));
}

const noTokens = () => new Int32Array(0);
const passages = rows('msmarco-sample/collection.tsv');
const queries = rows('msmarco-sample/queries.tsv');
/** The collection as stored chunks of 37 passages (the last one shorter). */
const chunks: TextColumns[] = [];
for (let at = 0; at < passages.length; at += 37) chunks.push(textColumns(passages.slice(at, at + 37), noTokens));
const reader: PassageChunks = async (visit) => {
  for (const c of chunks) await visit(c);
};
const inMemory = buildBm25Index(passages.length, (row) => bm25Terms((passages[row] as { text: string }).text));

describe('BM25 postings in files', () => {
  it('holds exactly the postings of the in-memory index, merged from many segments, and ranks the same', async () => {
    const folder = new MemoryFolder();
    const phases: string[] = [];
    const manifest = await buildBm25Files(folder, reader, passages.length, { segmentPostings: 500, onProgress: (phase) => phases.push(phase) });
    expect(phases).toContain('indexing');
    expect(phases.at(-1)).toBe('merging');
    expect(manifest.postings).toBe(inMemory.postDoc.length);
    // Segments are gone; the index and its manifest stay.
    expect((await folder.list()).sort()).toEqual([BM25_INDEX, BM25_MANIFEST]);
    expect(await readBm25Manifest(folder)).toEqual(manifest);
    const disk = await openBm25Files(folder, manifest);
    expect(disk.n).toBe(inMemory.n);
    expect(disk.avgdl).toBeCloseTo(inMemory.avgdl, 12);
    expect(Array.from(disk.docLen)).toEqual(Array.from(inMemory.docLen));
    let terms = 0;
    for (let t = 0; t < inMemory.termStart.length - 1; t++) {
      if (inMemory.df(t) === 0) continue;
      terms++;
      expect(disk.df(t)).toBe(inMemory.df(t));
      const a = disk.postings(t);
      const b = inMemory.postings(t);
      expect(Array.from(a.docs)).toEqual(Array.from(b.docs));
      expect(Array.from(a.tfs)).toEqual(Array.from(b.tfs));
      expect(idf(disk, t)).toBe(idf(inMemory, t));
    }
    expect(terms).toBeGreaterThan(1000);
    for (const q of queries) {
      const terms = bm25Terms(q.text);
      const fromDisk = topK(disk, terms, 100);
      const fromMemory = topK(inMemory, terms, 100);
      expect(Array.from(fromDisk.rows)).toEqual(Array.from(fromMemory.rows));
      expect(Array.from(fromDisk.scores)).toEqual(Array.from(fromMemory.scores));
      expect(fromDisk.rows.length).toBeGreaterThan(0);
    }
    disk.close();
    // With a cache too small to keep most postings (a few terms at a time), queries still rank the same.
    const tight = await openBm25Files(folder, manifest, 3000);
    for (const q of queries.concat(queries)) {
      const terms = bm25Terms(q.text);
      expect(Array.from(topK(tight, terms, 50).rows)).toEqual(Array.from(topK(inMemory, terms, 50).rows));
    }
    tight.close();
  });

  it('matches a hand-worked example: two documents in two segments', async () => {
    const two = [textColumns([{ id: 1, text: 'red fox red' }], noTokens), textColumns([{ id: 2, text: 'blue fox' }], noTokens)];
    const folder = new MemoryFolder();
    const manifest = await buildBm25Files(
      folder,
      async (visit) => {
        for (const c of two) await visit(c);
      },
      2,
      { segmentPostings: 2 },
    );
    // Three postings over blocks of two: the second document went to a second segment.
    const disk = await openBm25Files(folder, manifest);
    const [red, fox] = Array.from(bm25Terms('red fox'));
    // "fox" is in both documents (df 2), "red" twice in the first: tf 2, length 3 against avgdl 2.5.
    expect(disk.df(fox as number)).toBe(2);
    expect(Array.from(disk.postings(red as number).docs)).toEqual([0]);
    expect(Array.from(disk.postings(red as number).tfs)).toEqual([2]);
    const w = Math.log(1 + (2 - 1 + 0.5) / (1 + 0.5));
    const expected = (w * 2) / (2 + 0.9 * (1 - 0.4 + (0.4 * 3) / 2.5));
    expect(topK(disk, [red as number], 5).scores[0]).toBeCloseTo(expected, 6);
  });

  it('leaves no file behind when the collection cannot be read to the end, or the space is refused', async () => {
    const folder = new MemoryFolder();
    const failing: PassageChunks = async (visit) => {
      await visit(chunks[0] as TextColumns);
      await visit(chunks[1] as TextColumns);
      throw new Error('the tab is closing');
    };
    await expect(buildBm25Files(folder, failing, passages.length, { segmentPostings: 200 })).rejects.toThrow('the tab is closing');
    expect(await folder.list()).toEqual([]);
    // The space is asked for after the first chunk, before any segment is written.
    const filesWhenAsked: string[][] = [];
    await expect(
      buildBm25Files(folder, reader, passages.length, {
        segmentPostings: 200,
        checkSpace: async (bytes) => {
          filesWhenAsked.push(await folder.list());
          throw new Error(`needs ${bytes} bytes`);
        },
      }),
    ).rejects.toThrow(/needs \d+ bytes/);
    expect(filesWhenAsked).toEqual([[]]);
    expect(await folder.list()).toEqual([]);
    // Asked twice when there is room: an estimate first, then the index's exact size before the merge.
    const asked: number[] = [];
    const manifest = await buildBm25Files(folder, reader, passages.length, { segmentPostings: 200, checkSpace: async (bytes) => void asked.push(bytes) });
    expect(asked).toHaveLength(2);
    expect(asked[1]).toBe(manifest.bytes);
    expect(asked[0]).toBeGreaterThan(manifest.bytes);
    for (const name of await folder.list()) await folder.remove(name);
    await expect(buildBm25Files(folder, reader, passages.length + 1)).rejects.toThrow(`the collection has ${passages.length} passages, its dataset lists ${passages.length + 1}`);
    expect(await readBm25Manifest(folder)).toBeNull();
  });

  it('refuses an index file that was cut short, naming it', async () => {
    const folder = new MemoryFolder();
    const manifest = await buildBm25Files(folder, reader, passages.length);
    const whole = (folder.files.get(BM25_INDEX) as MemoryFile).contents();
    const cut = new MemoryFile();
    cut.write(whole.subarray(0, whole.length - 10), 0);
    folder.files.set(BM25_INDEX, cut);
    await expect(openBm25Files(folder, manifest)).rejects.toThrow(`${BM25_INDEX} holds ${whole.length - 10} bytes of the ${whole.length} it needs`);
  });

  it('says what an open index holds at the most: lengths, term starts and the cache budget', () => {
    // 1,000 passages, 16 buckets: 4 · 1000 lengths + 4 · 17 term starts + 16 · 1000 of cache = 20,068 bytes.
    expect(openIndexBytes(1000, 16)).toBe(4000 + 68 + 16000);
    // 20M passages: the cache stops at its 256 MB cap (16 · 20M would be 320 MB).
    expect(openIndexBytes(20_000_000, 16)).toBe(80_000_000 + 68 + POSTINGS_CACHE_BYTES);
    expect(POSTINGS_CACHE_BYTES).toBe(256 * 1024 * 1024);
  });
});
