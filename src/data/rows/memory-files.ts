/**
 * A dataset's training files built in memory from whole tables: the one data path (token rows and triple records)
 * for data that never went through IndexedDB and OPFS, such as the lab's demo runs, the GPU benches and unit tests.
 * The tables are small there, so holding them and their files in memory together costs nothing that matters.
 */
import type { TableColumns, TableName, TextColumns, TripleColumns } from '../store/schema';
import { MemoryFolder } from './files';
import { buildTrainingFiles, openTrainingFiles, type ChunkReader, type TrainingFiles } from './training-files';

export interface TrainingTablesInMemory {
  passages: TextColumns;
  queries: TextColumns;
  triples: TripleColumns;
}

/** Builds the training files of `tables` (each table one stored chunk) into a folder in memory, and opens them. */
export async function memoryTrainingFiles(tables: TrainingTablesInMemory): Promise<TrainingFiles> {
  const folder = new MemoryFolder();
  const byTable: { [T in TableName]?: TableColumns[T] } = tables;
  const read: ChunkReader = async (table, visit) => {
    const columns = byTable[table];
    if (columns) await visit(columns);
  };
  const counts = { passages: tables.passages.id.length, queries: tables.queries.id.length, triples: tables.triples.qid.length };
  return openTrainingFiles(folder, await buildTrainingFiles(folder, read, counts));
}
