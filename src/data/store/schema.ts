import type { FileReportData } from '../formats/report';
import type { TeacherSummary } from '../teacher-stats';
import type { TeacherProvenance } from '../provenance';

/**
 * What a dataset looks like in IndexedDB.
 *
 * One catalog database lists the datasets; each dataset has a database of its own holding columnar chunks:
 * a few thousand rows of one table, each column a typed array. A record per row would cost one structured clone
 * and one B-tree entry per line, which is what makes 40-million-line imports crawl.
 */
export const CATALOG_DB = 'margin-studio';
export const CATALOG_VERSION = 1;
export const DATASET_DB_PREFIX = 'margin-studio-dataset-';
export const DATASET_VERSION = 1;

export const TABLES = ['passages', 'queries', 'triples', 'qrels', 'candidates'] as const;
export type TableName = (typeof TABLES)[number];

/** Texts with their token ids: `passages` and `queries`. Row r's tokens are tokens[tokOffsets[r]..tokOffsets[r+1]). */
export interface TextColumns {
  id: Int32Array;
  tokOffsets: Uint32Array;
  tokens: Int32Array;
  textOffsets: Uint32Array;
  text: Uint8Array;
}
export interface TripleColumns {
  qid: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
  posScore: Float32Array;
  negScore: Float32Array;
}
export interface QrelColumns {
  qid: Int32Array;
  pid: Int32Array;
  grade: Int32Array;
}
export interface CandidateColumns {
  qid: Int32Array;
  pid: Int32Array;
  rank: Int32Array;
  /** Doubles, as trec_eval compares them: float32 would merge scores that differ in the 7th digit and reorder ties. */
  score: Float64Array;
  /** Which run file the row came from: an index into DatasetInfo.runs. */
  run: Int32Array;
}

export interface TableColumns {
  passages: TextColumns;
  queries: TextColumns;
  triples: TripleColumns;
  qrels: QrelColumns;
  candidates: CandidateColumns;
}

export interface Chunk<T extends TableName = TableName> {
  table: T;
  index: number;
  rows: number;
  columns: TableColumns[T];
}

export type TableCounts = Record<TableName, number>;

/**
 * What a dataset's stored bytes are made of: `text` is the texts with their offsets and ids, `tokens` their token
 * ids with offsets; the other tables whole.
 */
export const STORED_PARTS = ['text', 'tokens', 'triples', 'qrels', 'candidates'] as const;
export type StoredPart = (typeof STORED_PARTS)[number];
export type PartBytes = Record<StoredPart, number>;

export type DatasetStatus = 'importing' | 'ready';

export interface DatasetInfo {
  id: string;
  name: string;
  source: 'demo' | 'files';
  status: DatasetStatus;
  createdAt: number;
  /** Last write by the importer; a stale `importing` dataset was abandoned. */
  updatedAt: number;
  /** While importing: the Web Lock its importer holds. Nobody holding it means the import was cut off. */
  lock?: string;
  counts: TableCounts;
  /** Bytes of column data stored (not IndexedDB's own overhead). */
  bytes: number;
  /** `bytes` by part, counted as chunks are written; absent for datasets imported before parts were counted. */
  parts?: PartBytes;
  /** Which tokenizer produced the stored token ids, e.g. `hash-words-v1:8192`. */
  tokenizer: string;
  /** The WordPiece vocabulary imported with the dataset (a `vocab.txt`), when its tokenizer is not built in. */
  vocab?: string[];
  /** One report per imported file: lines read, rejected and why, dangling references. */
  files?: FileReportData[];
  /** Distribution of the teacher's scores over all triples. */
  teacher?: TeacherSummary;
  /** Names of the candidate runs (TREC run files), by the `run` index of the candidates table. */
  runs?: string[];
  /** When the studio made the teacher triples (cross-encoders from the model library): how. */
  provenance?: TeacherProvenance;
  /** The dataset whose texts and qrels this one's teacher triples were made from (data/derive.ts). */
  derivedFrom?: string;
  /** While files are being added: the dataset as it was before, to return to if the addition does not finish. */
  rollback?: DatasetSnapshot;
}

export interface DatasetSnapshot {
  counts: TableCounts;
  bytes: number;
  parts?: PartBytes;
  /** Chunks per table; chunks numbered from here on belong to the unfinished addition. */
  chunks: TableCounts;
  files?: FileReportData[];
  teacher?: TeacherSummary;
  runs?: string[];
}

export function emptyCounts(): TableCounts {
  return { passages: 0, queries: 0, triples: 0, qrels: 0, candidates: 0 };
}

export function emptyParts(): PartBytes {
  return { text: 0, tokens: 0, triples: 0, qrels: 0, candidates: 0 };
}

export function datasetDbName(id: string): string {
  return DATASET_DB_PREFIX + id;
}
