/**
 * Passage vectors on disk, for dense retrieval over collections too large to hold (MS MARCO's 8.8M passages are
 * 4.5 GB of 128-dim vectors, 27 GB of 768-dim ones): written batch by batch as the student encodes them, resumed
 * where they stopped after the tab closed, and searched a chunk at a time (vector-search.ts).
 *
 * File layout (little-endian, as typed arrays are on every platform browsers run on):
 *   header   288 bytes: magic "MSTV", format version, rows, dim, rows done, key length in bytes (uint32 each),
 *            8 zero bytes, then the key: UTF-8, at most 256 bytes, zero-padded
 *   vectors  rows × dim × float32, row-major
 * The key names what made the vectors (the student's checkpoint and passage length, the dataset's version): the
 * vectors of another key, or of another shape, are never resumed from. "Rows done" is rewritten only after the
 * vectors it counts are flushed, so a tab closed at any moment leaves a header that claims no row it lacks.
 */
import { readExactly, type FileFolder, type RandomAccessFile } from '../data/rows/files';
import { CHUNK_ROWS, cpuChunkTopK, searchVectors, type ChunkTopK, type Hits, type VectorSource } from './vector-search';

export const VECTORS_FILE = 'vectors.f32';
export const KEY_BYTES = 256;

const MAGIC = 0x5654534d; // "MSTV" read as a little-endian uint32
const FORMAT = 1;
const HEADER_BYTES = 32 + KEY_BYTES;
const ROWS_DONE_AT = 16;
/** How often rows done is recorded while encoding: the most work a closed tab can cost. */
const MARK_EVERY_MS = 2000;

interface Header {
  rows: number;
  dim: number;
  done: number;
  key: string;
}

const vectorBytes = (rows: number, dim: number) => rows * dim * 4;

function keyBytes(key: string): Uint8Array {
  const bytes = new TextEncoder().encode(key);
  if (bytes.length > KEY_BYTES) throw new Error(`a vector file's key holds at most ${KEY_BYTES} bytes of UTF-8; "${key.slice(0, 40)}…" has ${bytes.length}`);
  return bytes;
}

function headerBytes(header: Header): Uint8Array {
  const key = keyBytes(header.key);
  const out = new Uint8Array(HEADER_BYTES);
  new Uint32Array(out.buffer, 0, 6).set([MAGIC, FORMAT, header.rows, header.dim, header.done, key.length]);
  out.set(key, 32);
  return out;
}

/** The header of a vector file, checked against the file's size: vectors of every row it claims are there. */
function readHeader(file: RandomAccessFile, name: string): Header {
  const head = new Uint8Array(HEADER_BYTES);
  readExactly(file, head, 0, name);
  const h = new Uint32Array(head.buffer, 0, 6);
  const [magic, format, rows, dim, done, keyLength] = [h[0] as number, h[1] as number, h[2] as number, h[3] as number, h[4] as number, h[5] as number];
  if (magic !== MAGIC) throw new Error(`${name} is not a vector file (wrong magic number)`);
  if (format !== FORMAT) throw new Error(`${name} has vector format ${format}; this version reads format ${FORMAT}`);
  if (dim < 1 || done > rows || keyLength > KEY_BYTES) throw new Error(`${name} has a damaged header (${rows} rows of ${dim} dims, ${done} done, a key of ${keyLength} bytes)`);
  const expected = HEADER_BYTES + vectorBytes(done, dim);
  if (file.size() < expected) throw new Error(`${name} holds ${file.size()} bytes; ${done} vectors of ${dim} dims need ${expected}; the file was cut short`);
  return { rows, dim, done, key: new TextDecoder().decode(head.subarray(32, 32 + keyLength)) };
}

/** A finished vector file, read by row range (one read per range); holds the file until closed. */
export class VectorFile implements VectorSource {
  private constructor(
    private readonly file: RandomAccessFile,
    readonly name: string,
    readonly rows: number,
    readonly dim: number,
    readonly key: string,
  ) {}

  /** Opens a finished file; says what is wrong with one that is not a vector file, unfinished, or cut short. */
  static open(file: RandomAccessFile, name: string): VectorFile {
    const header = readHeader(file, name);
    if (header.done < header.rows) throw new Error(`${name} is unfinished: ${header.done} of ${header.rows} vectors were written`);
    return new VectorFile(file, name, header.rows, header.dim, header.key);
  }

  /** Vectors of rows [from, to), row-major; into the front of `into` when given. */
  read(from: number, to: number, into?: Float32Array): Float32Array {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to > this.rows) throw new Error(`${this.name}: rows ${from} to ${to} are not a range of its ${this.rows} rows`);
    const n = (to - from) * this.dim;
    const out = into ? into.subarray(0, n) : new Float32Array(n);
    if (out.length < n) throw new Error(`${this.name}: ${n} floats do not fit a buffer of ${out.length}`);
    readExactly(this.file, new Uint8Array(out.buffer, out.byteOffset, n * 4), HEADER_BYTES + vectorBytes(from, this.dim), this.name);
    return out;
  }

  close(): void {
    this.file.close();
  }
}

export interface EncodeSpec {
  /** What makes the vectors (student checkpoint, passage length, dataset version): UTF-8, at most 256 bytes. */
  key: string;
  rows: number;
  dim: number;
  /** Rows per `embed` call. */
  batch: number;
  /** The file's name in the folder: VECTORS_FILE unless given. */
  name?: string;
  /** Milliseconds between records of rows done (each two flushes): about the most encoding a closed tab costs. */
  markEveryMs?: number;
  /** The clock markEveryMs is measured on, in milliseconds: performance.now unless given. */
  now?: () => number;
  /** Refuses (throws) when the browser cannot store this many more bytes; asked before anything is written. */
  checkSpace?: (bytes: number) => Promise<void>;
}

/** Vectors of rows [from, to): (to − from) × dim floats, row-major. */
export type Embed = (from: number, to: number) => Promise<Float32Array>;

/**
 * Rows done of the total; `resumedFrom` is the rows already on disk when this call began, so that a rate measured
 * from the call's start counts `done − resumedFrom` rows, not the resumed part too.
 */
export type EncodeProgress = (done: number, total: number, resumedFrom: number) => void;

/** Rows already done in the file for this key and shape; null when it must start over (absent, another key, damaged). */
function resumableRows(file: RandomAccessFile, spec: EncodeSpec, name: string): number | null {
  if (file.size() === 0) return null;
  try {
    const header = readHeader(file, name);
    // Compared as stored: a key that UTF-8 cannot hold exactly (a lone surrogate) still finds its own file.
    const key = new TextDecoder().decode(keyBytes(spec.key));
    return header.key === key && header.rows === spec.rows && header.dim === spec.dim ? header.done : null;
  } catch {
    // A damaged or cut file is only a lost cache: encoding again is always right.
    return null;
  }
}

/** Records that rows [0, done) are on disk: the vectors flushed first, then the header's count, then flushed again. */
function markDone(file: RandomAccessFile, done: number): void {
  file.flush();
  file.write(new Uint8Array(Uint32Array.of(done).buffer), ROWS_DONE_AT);
  file.flush();
}

/**
 * The vectors of rows [0, rows) in a file of the folder, encoded in order by `embed` a batch at a time, or resumed
 * from the rows a previous call with the same key and shape recorded; returned at once when that call finished.
 * A file of another key or shape, or one that is damaged or cut short, is started over. If `embed` or
 * `onProgress` throws, the rows written so far are recorded before the error goes on; if the tab closes, the rows
 * recorded at the last mark (at most markEveryMs earlier) are kept.
 */
export async function encodeToFile(folder: FileFolder, spec: EncodeSpec, embed: Embed, onProgress: EncodeProgress = () => undefined): Promise<VectorFile> {
  const { key, rows, dim, batch } = spec;
  const name = spec.name ?? VECTORS_FILE;
  const now = spec.now ?? (() => performance.now());
  const markEveryMs = spec.markEveryMs ?? MARK_EVERY_MS;
  if (!Number.isInteger(rows) || rows < 0 || rows > 0xffffffff) throw new Error(`${name}: ${rows} is not a row count`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`${name}: vectors of ${dim} dims cannot be stored`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`${name}: ${batch} is not a batch size`);
  keyBytes(key);

  let file = await folder.openForUpdate(name);
  let done = 0;
  let marked = 0;
  try {
    const resumable = resumableRows(file, spec, name);
    // What is still to be written, before a byte of it is (a file of another key is left as it was when refused).
    await spec.checkSpace?.(vectorBytes(rows - (resumable ?? 0), dim) + (resumable === null ? HEADER_BYTES : 0));
    if (resumable === null) {
      file.close();
      file = await folder.open(name, true);
      file.write(headerBytes({ key, rows, dim, done: 0 }), 0);
      file.flush();
    } else {
      done = marked = resumable;
    }
    const resumedFrom = done;
    let markedAt = now();
    onProgress(done, rows, resumedFrom);
    while (done < rows) {
      const to = Math.min(rows, done + batch);
      const vectors = await embed(done, to);
      if (vectors.length !== (to - done) * dim) throw new Error(`${name}: embed gave ${vectors.length} floats for rows ${done} to ${to} of ${dim} dims`);
      file.write(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength), HEADER_BYTES + vectorBytes(done, dim));
      done = to;
      if (done === rows || now() - markedAt >= markEveryMs) {
        markDone(file, done);
        marked = done;
        markedAt = now();
      }
      onProgress(done, rows, resumedFrom);
    }
    return VectorFile.open(file, name);
  } catch (err) {
    // A stop or a failed batch, not a closed tab (that runs nothing here): what was written is kept for next time.
    try {
      if (done > marked) markDone(file, done);
    } catch {
      // The first error is the one to report.
    }
    file.close();
    throw err;
  }
}

/**
 * Exact top k rows of a vector file by dot product for each query vector, best first, reading `chunkRows` rows at
 * a time. The CPU chunkTopK scores a query at a time; a device one holds m × chunkRows scores at once, so give it
 * smaller chunks (retrieval.ts's searchFileOnDevice does).
 */
export function searchFile(vectors: VectorFile, queries: Float32Array, k: number, chunkTopK: ChunkTopK = cpuChunkTopK, chunkRows = CHUNK_ROWS): Promise<Hits[]> {
  return searchVectors(vectors, queries, k, chunkTopK, chunkRows);
}
