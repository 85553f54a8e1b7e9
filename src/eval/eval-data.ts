/**
 * A dataset as evaluation reads it, in the training worker. With the Origin Private File System (every current
 * browser's dedicated workers): the passages are the training files' token rows (texts fetched from the stored
 * chunks only for the passages shown), BM25 is an index in files built once per dataset version, and the teacher's
 * scores are read from the stored triples a chunk at a time, keeping only the queries asked for. Memory is then a
 * few bytes a passage, whatever the collection's size. Unit tests hold these file paths to whole-table references
 * (bm25.reference.ts, rerank.reference.ts) on folders in memory.
 */
import { checkSpace, datasetFolder, ensureTrainingFiles } from '../data/rows/dataset-files';
import type { FileFolder } from '../data/rows/files';
import type { TrainingFiles } from '../data/rows/training-files';
import { forEachChunk, readChunk, readTable } from '../data/store/dataset-db';
import type { DatasetInfo, TextColumns } from '../data/store/schema';
import type { Bm25Searchable } from './bm25';
import { buildBm25Files, openBm25Files, readBm25Manifest, type Bm25Files } from './bm25-files';
import { storedCollection, type Collection } from './collection';
import { addTeacherScores, type EvalPhase, type TeacherScores } from './rerank';

export type DataProgress = (phase: EvalPhase, done: number, total: number) => void;

export interface EvalData {
  /** The dataset version this is: `<id>@<updatedAt>`. */
  readonly key: string;
  readonly info: DatasetInfo;
  readonly passages: Collection;
  readonly queries: TextColumns;
  /** Where this dataset version's files are: indexes that outlive the tab go there. */
  readonly folder: FileFolder;
  /** The BM25 index, built on first use (into files, once per dataset version), and the seconds building took (0 when it was built before). */
  bm25(onProgress?: DataProgress): Promise<{ index: Bm25Searchable; seconds: number }>;
  /** The teacher's scores of these queries' passages. */
  teacher(qids: ReadonlySet<number>): Promise<TeacherScores>;
  /** Refuses (throws, saying what needs how much) a file the browser's storage cannot hold. */
  checkSpace(bytes: number, what: string): Promise<void>;
  close(): void;
}

export function dataKey(info: DatasetInfo): string {
  return `${info.id}@${info.updatedAt}`;
}

export async function openEvalData(info: DatasetInfo, onProgress: DataProgress = () => undefined): Promise<EvalData> {
  if (info.status !== 'ready') throw new Error(`dataset "${info.name}" is not completely imported`);
  const queries = await readTable(info.id, 'queries');
  if (!queries || info.counts.passages === 0) throw new Error(`dataset "${info.name}" has no passages or no queries to evaluate with`);
  const files = await ensureTrainingFiles(info, (_phase, done, total) => onProgress('preparing', done, total));
  try {
    return evalDataFrom(info, queries, files, await datasetFolder(info));
  } catch (err) {
    files.close();
    throw err;
  }
}

/**
 * A dataset version as evaluation reads it, from its open training files in `folder` (OPFS in the studio, a folder
 * in memory in unit tests); the BM25 index is built into the same folder on first use. `close()` closes the files.
 */
export function evalDataFrom(info: DatasetInfo, queries: TextColumns, files: TrainingFiles, folder: FileFolder): EvalData {
  const passages: Collection = storedCollection(files.passages, files.manifest.chunkRows.passages, async (k) => {
    const chunk = await readChunk(info.id, 'passages', k);
    if (!chunk) throw new Error(`dataset "${info.name}" has no stored passage chunk ${k}; it changed since its files were built`);
    return chunk;
  });
  let bm25: Bm25Files | null = null;
  return {
    key: dataKey(info),
    info,
    passages,
    queries,
    folder,
    async bm25(progress = () => undefined) {
      if (bm25) return { index: bm25, seconds: 0 };
      const started = performance.now();
      const existing = await readBm25Manifest(folder);
      const manifest =
        existing ??
        (await buildBm25Files(folder, (visit) => forEachChunk(info.id, 'passages', visit), info.counts.passages, {
          onProgress: (phase, done, total) => progress(phase === 'indexing' ? 'indexing' : 'merging', done, total),
          checkSpace: (bytes) => checkSpace(info, bytes, 'the BM25 index'),
        }));
      bm25 = await openBm25Files(folder, manifest);
      // An index opened from its files was built before: no build time for this evaluation.
      return { index: bm25, seconds: existing ? 0 : (performance.now() - started) / 1000 };
    },
    async teacher(qids) {
      const out: TeacherScores = new Map();
      if (qids.size > 0) await forEachChunk(info.id, 'triples', (t) => void addTeacherScores(out, t, qids));
      return out;
    },
    checkSpace: (bytes, what) => checkSpace(info, bytes, what),
    close() {
      files.close();
      bm25?.close();
    },
  };
}
