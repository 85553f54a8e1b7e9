/** Writing and reading one dataset's columnar chunks. */
import { deleteDataset, getDataset, putDataset } from './catalog';
import { openDb, requestToPromise, transactionDone } from './idb';
import {
  DATASET_VERSION,
  datasetDbName,
  emptyCounts,
  type Chunk,
  type DatasetInfo,
  type TableColumns,
  type TableName,
} from './schema';
import { chunkBytes, concatChunks } from './columns';

const CHUNKS = 'chunks';

function openDatasetDb(id: string): Promise<IDBDatabase> {
  return openDb(datasetDbName(id), DATASET_VERSION, (db) => {
    if (!db.objectStoreNames.contains(CHUNKS)) db.createObjectStore(CHUNKS, { keyPath: ['table', 'index'] });
  });
}

export interface NewDataset {
  id: string;
  name: string;
  source: DatasetInfo['source'];
  tokenizer: string;
}

/**
 * Appends chunks to a new dataset and marks it ready on `finish()`. Until then the catalog says `importing`, so a
 * reader never trusts a half-written dataset; `abort()` removes everything written so far.
 */
export class DatasetWriter {
  private nextIndex: Record<TableName, number> = emptyCounts();
  private constructor(
    private readonly db: IDBDatabase,
    private info: DatasetInfo,
  ) {}

  static async create(spec: NewDataset): Promise<DatasetWriter> {
    const now = Date.now();
    const info: DatasetInfo = { ...spec, status: 'importing', createdAt: now, updatedAt: now, counts: emptyCounts(), bytes: 0 };
    await putDataset(info);
    try {
      return new DatasetWriter(await openDatasetDb(spec.id), info);
    } catch (err) {
      await deleteDataset(spec.id);
      throw err;
    }
  }

  get id(): string {
    return this.info.id;
  }

  /** Writes several chunks in one transaction; relaxed durability since a lost tail is re-imported anyway. */
  async append(chunks: readonly { table: TableName; rows: number; columns: TableColumns[TableName] }[]): Promise<void> {
    const tx = this.db.transaction(CHUNKS, 'readwrite', { durability: 'relaxed' });
    const store = tx.objectStore(CHUNKS);
    const counts = { ...this.info.counts };
    let bytes = this.info.bytes;
    for (const c of chunks) {
      if (c.rows === 0) continue;
      const record: Chunk = { table: c.table, index: this.nextIndex[c.table]++, rows: c.rows, columns: c.columns };
      store.put(record);
      counts[c.table] += c.rows;
      bytes += chunkBytes(c.columns);
    }
    await transactionDone(tx);
    this.info = { ...this.info, counts, bytes, updatedAt: Date.now() };
    await putDataset(this.info);
  }

  async finish(): Promise<DatasetInfo> {
    this.db.close();
    this.info = { ...this.info, status: 'ready', updatedAt: Date.now() };
    await putDataset(this.info);
    return this.info;
  }

  async abort(): Promise<void> {
    this.db.close();
    await deleteDataset(this.info.id);
  }
}

/** Reads a whole table of a ready dataset into one set of columns (null when the table is empty). */
export async function readTable<T extends TableName>(id: string, table: T): Promise<TableColumns[T] | null> {
  const info = await getDataset(id);
  if (!info) throw new Error(`dataset ${id} does not exist`);
  if (info.status !== 'ready') throw new Error(`dataset ${id} is not completely imported`);
  const db = await openDatasetDb(id);
  try {
    const tx = db.transaction(CHUNKS, 'readonly');
    const range = IDBKeyRange.bound([table, 0], [table, Number.MAX_SAFE_INTEGER]);
    const chunks = (await requestToPromise(tx.objectStore(CHUNKS).getAll(range))) as Chunk<T>[];
    chunks.sort((a, b) => a.index - b.index);
    return chunks.length === 0 ? null : concatChunks(table, chunks.map((c) => c.columns));
  } finally {
    db.close();
  }
}
