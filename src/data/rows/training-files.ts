/**
 * The files training reads instead of whole tables: passages and queries as token rows, the teacher triples as
 * records of row numbers, and a manifest written last, so a folder without one was never finished. Built from the
 * dataset's IndexedDB chunks one chunk at a time; memory while building is the id columns and their indexes
 * (8 bytes per passage and query), never a table.
 */
import type { TableColumns, TableName, TextColumns } from '../store/schema';
import { readJsonFile, writeJsonFile, type FileFolder } from './files';
import { IdIndex } from './id-index';
import { rowShapeFor, TokenRows, TokenRowWriter, type TokenRowsShape } from './token-rows';
import { TRIPLE_RECORD_BYTES, TripleRecords, TripleRecordWriter } from './triple-records';

export const PASSAGE_ROWS = 'passages.rows';
export const QUERY_ROWS = 'queries.rows';
export const TRIPLE_RECORDS = 'triples.records';
export const MANIFEST = 'manifest.json';
const TRAINING_FILES = [PASSAGE_ROWS, QUERY_ROWS, TRIPLE_RECORDS, MANIFEST];
/** 2: with the rows of each stored chunk (where a row's text is). */
const MANIFEST_FORMAT = 2;

export interface TrainingManifest {
  format: number;
  passages: TokenRowsShape;
  queries: TokenRowsShape;
  triples: number;
  unresolved: number;
  /** Bytes of the three data files. */
  bytes: number;
  /** Rows of each stored chunk of the text tables, in order: which chunk holds a row's text. */
  chunkRows: { passages: number[]; queries: number[] };
}

/** Streams one table of the dataset a chunk at a time (`forEachChunk` bound to a dataset). */
export type ChunkReader = <T extends TableName>(table: T, visit: (columns: TableColumns[T]) => void | Promise<void>) => Promise<void>;

export type BuildPhase = 'measuring' | 'writing' | 'resolving';
export type BuildProgress = (phase: BuildPhase, done: number, total: number) => void;

export interface BuildCounts {
  passages: number;
  queries: number;
  triples: number;
}

/** Bytes of a token-row file of this shape (its header aside). */
function filesBytes(shape: TokenRowsShape): number {
  return shape.rows * (4 + shape.width * shape.bytesPerToken);
}

/** First pass over a text table: its ids, and the width and token size its rows need. */
async function measure(read: ChunkReader, table: 'passages' | 'queries', expected: number, progress: (rows: number) => void): Promise<{ ids: Int32Array; shape: TokenRowsShape; chunkRows: number[] }> {
  let ids = new Int32Array(expected);
  const chunkRows: number[] = [];
  let rows = 0;
  let longest = 0;
  let smallest = 0;
  let largest = 0;
  await read(table, (cols: TextColumns) => {
    const n = cols.id.length;
    chunkRows.push(n);
    if (rows + n > ids.length) {
      const grown = new Int32Array(Math.max(rows + n, ids.length * 2));
      grown.set(ids.subarray(0, rows));
      ids = grown;
    }
    ids.set(cols.id, rows);
    for (let r = 0; r < n; r++) longest = Math.max(longest, (cols.tokOffsets[r + 1] as number) - (cols.tokOffsets[r] as number));
    for (let i = 0; i < cols.tokens.length; i++) {
      const t = cols.tokens[i] as number;
      if (t < smallest) smallest = t;
      if (t > largest) largest = t;
    }
    rows += n;
    progress(rows);
  });
  return { ids: ids.length === rows ? ids : ids.slice(0, rows), shape: rowShapeFor(rows, longest, smallest, largest), chunkRows };
}

async function writeRows(read: ChunkReader, folder: FileFolder, table: 'passages' | 'queries', name: string, shape: TokenRowsShape, progress: (rows: number) => void): Promise<number> {
  const file = await folder.open(name, true);
  try {
    const writer = new TokenRowWriter(file, shape, name);
    let rows = 0;
    await read(table, (cols: TextColumns) => {
      writer.append(cols);
      rows += cols.id.length;
      progress(rows);
    });
    writer.finish();
    return file.size();
  } finally {
    file.close();
  }
}

/** The teacher triples as records of row numbers; those naming an id the dataset lacks are only counted. */
async function writeTriples(read: ChunkReader, folder: FileFolder, passages: IdIndex, queries: IdIndex, progress: (rows: number) => void): Promise<{ triples: number; unresolved: number; bytes: number }> {
  const file = await folder.open(TRIPLE_RECORDS, true);
  try {
    const writer = new TripleRecordWriter(file);
    let seen = 0;
    await read('triples', (t) => {
      for (let i = 0; i < t.qid.length; i++) {
        const q = queries.rowOf(t.qid[i] as number);
        const p = passages.rowOf(t.pos[i] as number);
        const m = passages.rowOf(t.neg[i] as number);
        if (q < 0 || p < 0 || m < 0) writer.unresolved++;
        else writer.add(q, p, m, t.posScore[i] as number, t.negScore[i] as number);
      }
      seen += t.qid.length;
      progress(seen);
    });
    const triples = writer.finish();
    return { triples, unresolved: writer.unresolved, bytes: file.size() };
  } finally {
    file.close();
  }
}

/**
 * Builds the training files into an empty `folder`. On any failure (a full disk, a dataset changed meanwhile)
 * what was written is removed before the error goes on, so a folder is either complete or empty.
 */
export async function buildTrainingFiles(
  folder: FileFolder,
  read: ChunkReader,
  counts: BuildCounts,
  onProgress: BuildProgress = () => undefined,
  checkSpace: (bytes: number) => Promise<void> = async () => undefined,
): Promise<TrainingManifest> {
  const total = 2 * counts.passages + 2 * counts.queries + counts.triples;
  let base = 0;
  const step = (phase: BuildPhase) => (rows: number) => onProgress(phase, base + rows, total);
  try {
    const passages = await measure(read, 'passages', counts.passages, step('measuring'));
    base += passages.shape.rows;
    const queries = await measure(read, 'queries', counts.queries, step('measuring'));
    base += queries.shape.rows;
    // Before the first byte is written: a build that cannot fit is refused, not cut off half-way.
    await checkSpace(filesBytes(passages.shape) + filesBytes(queries.shape) + TRIPLE_RECORD_BYTES * counts.triples);
    let bytes = await writeRows(read, folder, 'passages', PASSAGE_ROWS, passages.shape, step('writing'));
    base += passages.shape.rows;
    bytes += await writeRows(read, folder, 'queries', QUERY_ROWS, queries.shape, step('writing'));
    base += queries.shape.rows;
    const resolved = await writeTriples(read, folder, IdIndex.build(passages.ids, 'passages'), IdIndex.build(queries.ids, 'queries'), step('resolving'));
    bytes += resolved.bytes;
    const manifest: TrainingManifest = {
      format: MANIFEST_FORMAT,
      passages: passages.shape,
      queries: queries.shape,
      triples: resolved.triples,
      unresolved: resolved.unresolved,
      bytes,
      chunkRows: { passages: passages.chunkRows, queries: queries.chunkRows },
    };
    // Last: a folder with a manifest is a finished build.
    await writeJsonFile(folder, MANIFEST, manifest);
    return manifest;
  } catch (err) {
    // Only its own files: the folder also keeps other indexes of the same dataset version (BM25, passage vectors).
    for (const name of await folder.list().catch(() => [])) if (TRAINING_FILES.includes(name)) await folder.remove(name).catch(() => undefined);
    throw err;
  }
}

/** The manifest of a finished folder, or null when the folder holds no finished build. */
export async function readManifest(folder: FileFolder): Promise<TrainingManifest | null> {
  const manifest = (await readJsonFile(folder, MANIFEST)) as TrainingManifest | null;
  return manifest?.format === MANIFEST_FORMAT ? manifest : null;
}

/** The open files of a finished build; `close()` releases them (an open handle keeps others from deleting them). */
export interface TrainingFiles {
  manifest: TrainingManifest;
  passages: TokenRows;
  queries: TokenRows;
  triples: TripleRecords;
  close(): void;
}

export async function openTrainingFiles(folder: FileFolder, manifest: TrainingManifest): Promise<TrainingFiles> {
  const opened: { close(): void }[] = [];
  try {
    const passages = TokenRows.open(await folder.open(PASSAGE_ROWS, false), PASSAGE_ROWS);
    opened.push(passages);
    const queries = TokenRows.open(await folder.open(QUERY_ROWS, false), QUERY_ROWS);
    opened.push(queries);
    const triples = TripleRecords.open(await folder.open(TRIPLE_RECORDS, false), TRIPLE_RECORDS);
    opened.push(triples);
    if (triples.size !== manifest.triples) throw new Error(`${TRIPLE_RECORDS} holds ${triples.size} triples, its manifest says ${manifest.triples}`);
    return { manifest, passages, queries, triples, close: () => opened.forEach((f) => f.close()) };
  } catch (err) {
    opened.forEach((f) => f.close());
    throw err;
  }
}
