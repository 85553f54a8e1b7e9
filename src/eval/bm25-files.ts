/**
 * BM25 as the studio keeps it, for every collection, since the large ones do not fit in memory: the postings in a file, built from the stored text chunks one chunk at
 * a time (no text is held longer than its chunk), read a term at a time when a query is scored. At MS MARCO's 8.8M
 * passages the postings are about 350M (term, passage, count) entries, 2 GB as arrays; in memory stay the passage
 * lengths (4 bytes a passage) and where each term's postings start (16 MB), not the postings.
 *
 * Building: passages are turned into postings in blocks of a bounded number of entries; each block is sorted by
 * term and written as a segment file; then the segments are merged term by term into one index file, whose postings
 * are exactly those of `buildBm25Index` (bm25.reference.ts) over the same texts (same terms, same order, same counts), and the segments
 * are removed. A manifest written last marks a finished index; a failed build removes what it wrote.
 *
 * Index file (little-endian):
 *   header    64 bytes: magic "MSBM", format, documents, vocabulary, postings (uint32 each); total terms, k1, b
 *             (float64 at bytes 24, 32, 40)
 *   docLen    documents × uint32
 *   termStart (vocabulary + 1) × uint32: term t's postings are entries [termStart[t], termStart[t + 1])
 *   docs      postings × uint32 (row numbers, ascending within a term)
 *   tfs       postings × uint16
 */
import type { TextColumns } from '../data/store/schema';
import { textAt } from '../data/store/columns';
import { readExactly, readJsonFile, writeJsonFile, type FileFolder, type RandomAccessFile } from '../data/rows/files';
import { BM25_B, BM25_BUCKETS, BM25_K1, bm25Terms, termCounts, type Bm25Searchable } from './bm25';

export const BM25_INDEX = 'bm25.index';
export const BM25_MANIFEST = 'bm25.json';
const SEGMENT_PREFIX = 'bm25.segment.';
const FORMAT = 1;
const INDEX_MAGIC = 0x4d42534d; // "MSBM"
const SEGMENT_MAGIC = 0x5342534d; // "MSBS"
const HEADER_BYTES = 64;
const SEGMENT_HEADER_BYTES = 16;
/**
 * Postings per block before it is sorted and written: 16 bytes each while building (32 MB), whatever the
 * collection's size; MS MARCO's 350M postings make about 170 segments.
 */
export const SEGMENT_POSTINGS = 1 << 21;
const IO_BUFFER = 1 << 20;
/** Each segment is read through four buffers while merging: 256 KB per segment, about 45 MB at MS MARCO's size. */
const READ_BUFFER = 64 << 10;

export interface Bm25Manifest {
  format: number;
  documents: number;
  vocab: number;
  postings: number;
  /** Bytes of the index file. */
  bytes: number;
}

export type Bm25BuildPhase = 'indexing' | 'merging';

/** Visits the collection's stored chunks in row order. */
export type PassageChunks = (visit: (cols: TextColumns) => void | Promise<void>) => Promise<void>;

export interface Bm25BuildOptions {
  onProgress?: (phase: Bm25BuildPhase, done: number, total: number) => void;
  /** Refuses (throws) when the browser cannot store this many more bytes. */
  checkSpace?: (bytes: number) => Promise<void>;
  /** Postings per segment (tests make it small to merge many segments). */
  segmentPostings?: number;
  vocab?: number;
}

const le32 = (values: number[]) => new Uint8Array(Uint32Array.from(values).buffer);

/** Bytes of `a`, a view (not a copy). */
const bytesOf = (a: Uint32Array | Int32Array | Uint16Array, count = a.length) => new Uint8Array(a.buffer, a.byteOffset, count * a.BYTES_PER_ELEMENT);

/** Writes forward from a byte position through a buffer. */
class ForwardWriter {
  private readonly buffer = new Uint8Array(IO_BUFFER);
  private used = 0;

  constructor(
    private readonly file: RandomAccessFile,
    private at: number,
  ) {}

  write(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) this.drain();
    if (bytes.length > this.buffer.length) {
      this.file.write(bytes, this.at);
      this.at += bytes.length;
      return;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  drain(): void {
    if (this.used === 0) return;
    this.file.write(this.buffer.subarray(0, this.used), this.at);
    this.at += this.used;
    this.used = 0;
  }
}

/** Reads forward from a byte position through a buffer. */
class ForwardReader {
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private from = 0;
  private to = 0;

  constructor(
    private readonly file: RandomAccessFile,
    private at: number,
    private readonly name: string,
    bytes = READ_BUFFER,
  ) {
    this.buffer = new Uint8Array(bytes);
    this.view = new DataView(this.buffer.buffer);
  }

  private fill(want: number): void {
    const kept = this.to - this.from;
    this.buffer.copyWithin(0, this.from, this.to);
    const n = this.file.read(this.buffer.subarray(kept), this.at);
    this.at += n;
    this.from = 0;
    this.to = kept + n;
    if (this.to < want) throw new Error(`${this.name}: the file ended early; it is damaged or was cut short`);
  }

  u32(): number {
    if (this.to - this.from < 4) this.fill(4);
    const v = this.view.getUint32(this.from, true);
    this.from += 4;
    return v;
  }

  /** Hands the next `count` bytes to `sink`, a buffer's worth at a time. */
  pipe(count: number, sink: ForwardWriter): void {
    while (count > 0) {
      if (this.to === this.from) this.fill(1);
      const n = Math.min(count, this.to - this.from);
      sink.write(this.buffer.subarray(this.from, this.from + n));
      this.from += n;
      count -= n;
    }
  }
}

/** The postings of passages seen so far in this block, and their writing as a segment sorted by term. */
class Block {
  private readonly term: Int32Array;
  private readonly doc: Uint32Array;
  private readonly tf: Uint16Array;
  private readonly sortedDoc: Uint32Array;
  private readonly sortedTf: Uint16Array;
  private readonly count: Uint32Array;
  size = 0;

  constructor(
    readonly capacity: number,
    vocab: number,
  ) {
    this.term = new Int32Array(capacity);
    this.doc = new Uint32Array(capacity);
    this.tf = new Uint16Array(capacity);
    this.sortedDoc = new Uint32Array(capacity);
    this.sortedTf = new Uint16Array(capacity);
    this.count = new Uint32Array(vocab);
  }

  add(doc: number, terms: Int32Array, counts: Uint16Array): void {
    for (let i = 0; i < terms.length; i++) {
      this.term[this.size] = terms[i] as number;
      this.doc[this.size] = doc;
      this.tf[this.size++] = counts[i] as number;
    }
  }

  /** Writes the block as a segment (terms ascending, documents ascending within a term) and empties it. */
  write(file: RandomAccessFile): void {
    const { count, size } = this;
    count.fill(0);
    for (let i = 0; i < size; i++) {
      const t = this.term[i] as number;
      count[t] = (count[t] as number) + 1;
    }
    const terms: number[] = [];
    const counts: number[] = [];
    let start = 0;
    for (let t = 0; t < count.length; t++) {
      const c = count[t] as number;
      if (c === 0) continue;
      terms.push(t);
      counts.push(c);
      count[t] = start;
      start += c;
    }
    // A stable counting sort: documents were added in ascending order, so they stay ascending within a term.
    for (let i = 0; i < size; i++) {
      const t = this.term[i] as number;
      const at = count[t] as number;
      count[t] = at + 1;
      this.sortedDoc[at] = this.doc[i] as number;
      this.sortedTf[at] = this.tf[i] as number;
    }
    const out = new ForwardWriter(file, 0);
    out.write(le32([SEGMENT_MAGIC, FORMAT, terms.length, size]));
    out.write(bytesOf(Int32Array.from(terms)));
    out.write(bytesOf(Uint32Array.from(counts)));
    out.write(bytesOf(this.sortedDoc, size));
    out.write(bytesOf(this.sortedTf, size));
    out.drain();
    file.flush();
    this.size = 0;
  }
}

/** One segment being merged: its terms and counts read in order, its postings piped out term by term. */
class SegmentCursor {
  nextTerm = Infinity;
  nextCount = 0;
  private left: number;
  private readonly heads: ForwardReader;
  private readonly docs: ForwardReader;
  private readonly tfs: ForwardReader;
  private readonly counts: ForwardReader;

  constructor(
    readonly file: RandomAccessFile,
    name: string,
  ) {
    const head = new Uint8Array(SEGMENT_HEADER_BYTES);
    readExactly(file, head, 0, name);
    const view = new DataView(head.buffer);
    const [magic, format, terms, postings] = [0, 1, 2, 3].map((i) => view.getUint32(4 * i, true));
    if (magic !== SEGMENT_MAGIC || format !== FORMAT) throw new Error(`${name} is not a BM25 segment of format ${FORMAT}`);
    if (terms === undefined || postings === undefined) throw new Error(`${name}: no header`);
    this.left = terms;
    this.heads = new ForwardReader(file, SEGMENT_HEADER_BYTES, name);
    this.counts = new ForwardReader(file, SEGMENT_HEADER_BYTES + 4 * terms, name);
    this.docs = new ForwardReader(file, SEGMENT_HEADER_BYTES + 8 * terms, name);
    this.tfs = new ForwardReader(file, SEGMENT_HEADER_BYTES + 8 * terms + 4 * postings, name);
    this.advance();
  }

  advance(): void {
    if (this.left === 0) {
      this.nextTerm = Infinity;
      return;
    }
    this.left--;
    this.nextTerm = this.heads.u32();
    this.nextCount = this.counts.u32();
  }

  copyTo(docs: ForwardWriter, tfs: ForwardWriter): void {
    this.docs.pipe(4 * this.nextCount, docs);
    this.tfs.pipe(2 * this.nextCount, tfs);
    this.advance();
  }
}

const layout = (documents: number, vocab: number, postings: number) => {
  const docLen = HEADER_BYTES;
  const termStart = docLen + 4 * documents;
  const docs = termStart + 4 * (vocab + 1);
  const tfs = docs + 4 * postings;
  return { docLen, termStart, docs, tfs, end: tfs + 2 * postings };
};

async function removeBm25Files(folder: FileFolder): Promise<void> {
  for (const name of await folder.list().catch(() => [] as string[])) if (name.startsWith('bm25.')) await folder.remove(name).catch(() => undefined);
}

/**
 * Builds the BM25 index of `documents` passages (given chunk by chunk, in row order) into `folder`. Whatever it
 * had written is removed when it fails, so the folder has a finished index or none.
 */
export async function buildBm25Files(folder: FileFolder, chunks: PassageChunks, documents: number, options: Bm25BuildOptions = {}): Promise<Bm25Manifest> {
  const vocab = options.vocab ?? BM25_BUCKETS;
  const progress = options.onProgress ?? (() => undefined);
  await removeBm25Files(folder);
  try {
    const docLen = new Uint32Array(documents);
    const df = new Uint32Array(vocab);
    const block = new Block(Math.max(1, options.segmentPostings ?? SEGMENT_POSTINGS), vocab);
    const segments: string[] = [];
    let row = 0;
    let totalTerms = 0;
    let postingsSoFar = 0;
    let estimated = false;
    /**
     * Before the first segment is written: the space the segments and the index will take, estimated from the
     * postings per passage so far (with a margin), is asked for. The exact size is asked for again before merging.
     */
    const estimate = async () => {
      if (estimated || row === 0) return;
      estimated = true;
      const postings = Math.ceil((1.25 * (postingsSoFar + block.size) * documents) / row);
      await options.checkSpace?.(layout(documents, vocab, postings).end + 6 * postings);
    };
    const flush = async () => {
      if (block.size === 0) return;
      await estimate();
      const name = `${SEGMENT_PREFIX}${segments.length}`;
      postingsSoFar += block.size;
      const file = await folder.open(name, true);
      try {
        block.write(file);
      } finally {
        file.close();
      }
      segments.push(name);
    };
    await chunks(async (cols) => {
      for (let r = 0; r < cols.id.length; r++, row++) {
        if (row >= documents) throw new Error(`the collection has more than the ${documents} passages its dataset lists; it changed while being indexed`);
        const terms = bm25Terms(textAt(cols, r));
        docLen[row] = terms.length;
        totalTerms += terms.length;
        const c = termCounts(terms);
        for (let i = 0; i < c.terms.length; i++) {
          const t = c.terms[i] as number;
          df[t] = (df[t] as number) + 1;
        }
        if (block.size + c.terms.length > block.capacity) await flush();
        if (c.terms.length > block.capacity) throw new Error(`passage row ${row} has ${c.terms.length} distinct words, more than a block of ${block.capacity} postings holds`);
        block.add(row, c.terms, c.counts);
      }
      progress('indexing', row, documents);
      await estimate();
    });
    if (row !== documents) throw new Error(`the collection has ${row} passages, its dataset lists ${documents}; it changed while being indexed`);
    await flush();

    let postings = 0;
    for (let t = 0; t < vocab; t++) postings += df[t] as number;
    if (postings > 0xffffffff) throw new Error(`the collection has ${postings} BM25 postings, more than this index format's 2^32`);
    const at = layout(documents, vocab, postings);
    await options.checkSpace?.(at.end);
    const out = await folder.open(BM25_INDEX, true);
    try {
      const head = new DataView(new ArrayBuffer(HEADER_BYTES));
      [INDEX_MAGIC, FORMAT, documents, vocab, postings].forEach((v, i) => head.setUint32(4 * i, v, true));
      head.setFloat64(24, totalTerms, true);
      head.setFloat64(32, BM25_K1, true);
      head.setFloat64(40, BM25_B, true);
      out.write(new Uint8Array(head.buffer), 0);
      out.write(bytesOf(docLen), at.docLen);
      const termStart = new Uint32Array(vocab + 1);
      for (let t = 0; t < vocab; t++) termStart[t + 1] = (termStart[t] as number) + (df[t] as number);
      out.write(bytesOf(termStart), at.termStart);
      const cursors: SegmentCursor[] = [];
      try {
        for (const name of segments) cursors.push(new SegmentCursor(await folder.open(name, false), name));
        const docs = new ForwardWriter(out, at.docs);
        const tfs = new ForwardWriter(out, at.tfs);
        // Term by term, the segments in passage order: each term's documents come out ascending.
        for (let t = 0; ; ) {
          let next = Infinity;
          for (const c of cursors) if (c.nextTerm < next) next = c.nextTerm;
          if (next === Infinity) break;
          for (const c of cursors) if (c.nextTerm === next) c.copyTo(docs, tfs);
          if (next - t >= 65536) {
            t = next;
            progress('merging', t, vocab);
          }
        }
        docs.drain();
        tfs.drain();
      } finally {
        cursors.forEach((c) => c.file.close());
      }
      out.flush();
      if (out.size() !== at.end) throw new Error(`${BM25_INDEX}: wrote ${out.size()} bytes, expected ${at.end}`);
    } finally {
      out.close();
    }
    progress('merging', vocab, vocab);
    for (const name of segments) await folder.remove(name);
    const manifest: Bm25Manifest = { format: FORMAT, documents, vocab, postings, bytes: at.end };
    // Last: a folder with a manifest holds a finished index.
    await writeJsonFile(folder, BM25_MANIFEST, manifest);
    return manifest;
  } catch (err) {
    await removeBm25Files(folder);
    throw err;
  }
}

/** The manifest of a finished index in `folder`, or null. */
export async function readBm25Manifest(folder: FileFolder): Promise<Bm25Manifest | null> {
  const manifest = (await readJsonFile(folder, BM25_MANIFEST)) as Bm25Manifest | null;
  return manifest?.format === FORMAT ? manifest : null;
}

export interface Bm25Files extends Bm25Searchable {
  close(): void;
}

/**
 * Postings read last, kept up to a byte budget (16 bytes a passage, at most 256 MB), the longest-unused dropped
 * first: queries share their frequent words ("what", "the", "of" are in millions of MS MARCO passages), whose
 * postings are the costliest reads.
 */
export const POSTINGS_CACHE_BYTES = 256 << 20;
const CACHE_BYTES_PER_PASSAGE = 16;

/** The postings cache's budget for a collection of `documents` passages. */
export function postingsCacheBudget(documents: number): number {
  return Math.min(POSTINGS_CACHE_BYTES, CACHE_BYTES_PER_PASSAGE * documents);
}

/**
 * What an open index holds in memory at the most, by design: the passage lengths (4 bytes a passage), where each
 * term's postings start (4 bytes a bucket, and one more) and the postings cache's budget. The browser test at scale
 * bounds what evaluation keeps by it.
 */
export function openIndexBytes(documents: number, vocab = BM25_BUCKETS): number {
  return 4 * documents + 4 * (vocab + 1) + postingsCacheBudget(documents);
}

/** Opens a finished index: the passage lengths and term starts read now, the postings when a term is scored. */
export async function openBm25Files(folder: FileFolder, manifest: Bm25Manifest, cacheBytes = postingsCacheBudget(manifest.documents)): Promise<Bm25Files> {
  const file = await folder.open(BM25_INDEX, false);
  try {
    const head = new Uint8Array(HEADER_BYTES);
    readExactly(file, head, 0, BM25_INDEX);
    const view = new DataView(head.buffer);
    const [magic, format, documents = 0, vocab = 0, postings = 0] = [0, 1, 2, 3, 4].map((i) => view.getUint32(4 * i, true));
    if (magic !== INDEX_MAGIC || format !== FORMAT) throw new Error(`${BM25_INDEX} is not a BM25 index of format ${FORMAT}`);
    if (documents !== manifest.documents || vocab !== manifest.vocab || postings !== manifest.postings) throw new Error(`${BM25_INDEX} does not match its manifest; build the index again`);
    const at = layout(documents, vocab, postings);
    if (file.size() < at.end) throw new Error(`${BM25_INDEX} holds ${file.size()} bytes of the ${at.end} it needs; the file was cut short`);
    const docLen = new Uint32Array(documents);
    readExactly(file, bytesOf(docLen), at.docLen, BM25_INDEX);
    const termStart = new Uint32Array(vocab + 1);
    readExactly(file, bytesOf(termStart), at.termStart, BM25_INDEX);
    const totalTerms = view.getFloat64(24, true);
    const cache = new Map<number, { docs: Uint32Array; tfs: Uint16Array }>();
    let cached = 0;
    return {
      n: documents,
      avgdl: documents ? totalTerms / documents : 0,
      docLen,
      k1: view.getFloat64(32, true),
      b: view.getFloat64(40, true),
      df: (t) => (termStart[t + 1] as number) - (termStart[t] as number),
      postings(t) {
        const hit = cache.get(t);
        if (hit) {
          // Most recently used last: a Map keeps insertion order.
          cache.delete(t);
          cache.set(t, hit);
          return hit;
        }
        const from = termStart[t] as number;
        const count = (termStart[t + 1] as number) - from;
        const docs = new Uint32Array(count);
        const tfs = new Uint16Array(count);
        readExactly(file, bytesOf(docs), at.docs + 4 * from, BM25_INDEX);
        readExactly(file, bytesOf(tfs), at.tfs + 2 * from, BM25_INDEX);
        const entry = { docs, tfs };
        const bytes = 6 * count;
        if (bytes <= cacheBytes / 4) {
          cache.set(t, entry);
          cached += bytes;
          for (const [old, e] of cache) {
            if (cached <= cacheBytes) break;
            cache.delete(old);
            cached -= 6 * e.docs.length;
          }
        }
        return entry;
      },
      close() {
        cache.clear();
        file.close();
      },
    };
  } catch (err) {
    file.close();
    throw err;
  }
}
