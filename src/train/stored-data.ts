/**
 * The one training source: a dataset's training files (token rows and triple records), read a batch at a time.
 * Memory is the query id column (4 bytes a query), whatever the collection's size; the batches are the ones the
 * whole tables would make (`tableData` in batches.reference.ts, which the tests hold this to).
 */
import { memoryTrainingFiles } from '../data/rows/memory-files';
import type { TrainingFiles } from '../data/rows/training-files';
import { teacherMoments, type Batch, type TrainingData, type TrainingTables } from './batches';

export function storedData(files: TrainingFiles, standardize: boolean): TrainingData {
  const { passages, queries, triples } = files;
  const queryIds = queries.ids();
  const z = standardize ? teacherMoments((visit) => triples.scan((rows) => visit(rows.posScore, rows.negScore))) : null;
  let closed = false;
  return {
    size: triples.size,
    unresolved: triples.unresolved,
    queryIds,
    scanQueryRows(visit) {
      triples.scan((rows, first) => visit(rows.queryRow, first));
    },
    batch(indices, queryLength, passageLength): Batch {
      if (closed) throw new Error('the training files were closed: this run has ended, start a new one');
      const t = triples.read(indices);
      return {
        size: indices.length,
        query: queries.gather(t.queryRow, queryLength),
        pos: passages.gather(t.posRow, passageLength),
        neg: passages.gather(t.negRow, passageLength),
        teacherPos: z ? t.posScore.map((x) => (x - z.mean) / z.std) : t.posScore,
        teacherNeg: z ? t.negScore.map((x) => (x - z.mean) / z.std) : t.negScore,
      };
    },
    close() {
      if (closed) return;
      closed = true;
      files.close();
    },
  };
}

/** Small tables in memory (the demo data of the lab and the benches, unit tests) through the same files, built in memory. */
export async function tablesAsTrainingData(tables: TrainingTables, standardize: boolean): Promise<TrainingData> {
  return storedData(await memoryTrainingFiles(tables), standardize);
}
