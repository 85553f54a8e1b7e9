/** Writing and reading one dataset's columnar chunks. */
import { abandonedImports, deleteDataset, getDataset, putDataset, updateDataset } from './catalog';
import { openDb, requestToPromise, transactionDone } from './idb';
import {
  DATASET_VERSION,
  TABLES,
  datasetDbName,
  emptyCounts,
  emptyParts,
  type Chunk,
  type DatasetInfo,
  type DatasetSnapshot,
  type PartBytes,
  type TableColumns,
  type TableName,
} from './schema';
import { addChunkParts, chunkBytes, concatChunks } from './columns';

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
  lock?: string | undefined;
  /** The imported WordPiece vocabulary the tokenizer uses, if it is not a built-in one. */
  vocab?: string[];
}

export interface PendingChunk {
  table: TableName;
  rows: number;
  columns: TableColumns[TableName];
}

/** Chunks are grouped into transactions of about this many bytes: few commits, and progress still moves. */
const TRANSACTION_BYTES = 8 * 1024 * 1024;
/** How often the catalog hears that an import is still alive. */
const HEARTBEAT_MS = 1000;

export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

/**
 * Appends chunks to a new dataset and marks it ready on `finish()`. Until then the catalog says `importing`, so a
 * reader never trusts a half-written dataset; `abort()` removes everything written so far.
 *
 * Writes are pipelined: `enqueue` groups chunks and starts a transaction when a group is big enough, without
 * waiting for it; `settle(n)` waits until at most n transactions are in flight, which is the importer's
 * back-pressure. Durability is relaxed: a tail lost to a crash is never marked ready, so it costs nothing.
 */
export class DatasetWriter {
  private nextIndex: Record<TableName, number> = emptyCounts();
  private queued: PendingChunk[] = [];
  private queuedBytes = 0;
  private inFlight: Promise<void>[] = [];
  private failure: unknown = null;
  private lastHeartbeat = 0;

  private constructor(
    private readonly db: IDBDatabase,
    private info: DatasetInfo,
  ) {
    if (info.rollback) this.nextIndex = { ...info.rollback.chunks };
  }

  /**
   * Opens a ready dataset to add files to it. Until `finish()` it is `importing` again, with a snapshot of how it
   * was: `abort()`, or the next page load if the tab dies, returns it to exactly that.
   */
  static async reopen(id: string, lock?: string): Promise<DatasetWriter> {
    const db = await openDatasetDb(id);
    try {
      const chunks = emptyCounts();
      const tx = db.transaction(CHUNKS, 'readonly');
      for (const table of TABLES) chunks[table] = await requestToPromise(tx.objectStore(CHUNKS).count(tableRange(table)));
      // Check and claim in one catalog transaction: two tabs cannot both start adding to the same dataset.
      const reopened = await updateDataset(id, (info) => {
        if (!info) throw new Error(`dataset ${id} does not exist`);
        if (info.status !== 'ready') throw new Error(`dataset ${info.name} is busy: another import is writing to it`);
        const rollback: DatasetSnapshot = { counts: info.counts, bytes: info.bytes, ...(info.parts ? { parts: info.parts } : {}), chunks, files: info.files, teacher: info.teacher, runs: info.runs };
        return { ...info, status: 'importing', updatedAt: Date.now(), rollback, ...(lock ? { lock } : {}) };
      });
      return new DatasetWriter(db, reopened);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The dataset as it was before this writer added to it (undefined for a new dataset). */
  get previous(): DatasetSnapshot | undefined {
    return this.info.rollback;
  }

  static async create(spec: NewDataset): Promise<DatasetWriter> {
    const now = Date.now();
    const { lock, ...rest } = spec;
    const info: DatasetInfo = { ...rest, ...(lock ? { lock } : {}), status: 'importing', createdAt: now, updatedAt: now, counts: emptyCounts(), bytes: 0, parts: emptyParts() };
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

  get tokenizer(): string {
    return this.info.tokenizer;
  }

  get vocab(): string[] | undefined {
    return this.info.vocab;
  }

  /** Bytes of column data committed so far. */
  get committedBytes(): number {
    return this.info.bytes;
  }

  enqueue(chunk: PendingChunk): void {
    if (chunk.rows === 0) return;
    this.queued.push(chunk);
    this.queuedBytes += chunkBytes(chunk.columns);
    if (this.queuedBytes >= TRANSACTION_BYTES) this.commit();
  }

  /** Starts a transaction for whatever is queued. */
  commit(): void {
    if (this.queued.length === 0) return;
    const chunks = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    const tx = this.db.transaction(CHUNKS, 'readwrite', { durability: 'relaxed' });
    const store = tx.objectStore(CHUNKS);
    const rows = emptyCounts();
    const parts = emptyParts();
    let bytes = 0;
    const done = transactionDone(tx)
      .then(() => this.committed(rows, bytes, parts))
      .catch((err: unknown) => {
        this.failure ??= err;
      });
    this.inFlight.push(done);
    try {
      for (const c of chunks) {
        const record: Chunk = { table: c.table, index: this.nextIndex[c.table]++, rows: c.rows, columns: c.columns };
        store.put(record);
        rows[c.table] += c.rows;
        bytes += chunkBytes(c.columns);
        addChunkParts(parts, c.table, c.columns);
      }
    } catch (err) {
      // A put can fail at once (quota, a value that cannot be cloned): the transaction is abandoned and the error
      // surfaces at the next settle(), like one that fails at commit.
      this.failure ??= err;
      tx.abort();
    }
  }

  /** Waits until at most `maxInFlight` transactions are running; rethrows the first write that failed. */
  async settle(maxInFlight = 0): Promise<void> {
    while (this.inFlight.length > maxInFlight) await this.inFlight.shift();
    if (this.failure) throw asStorageError(this.failure);
  }

  /** Queues, commits and waits: the simple path for small imports. */
  async append(chunks: readonly PendingChunk[]): Promise<void> {
    for (const c of chunks) this.enqueue(c);
    this.commit();
    await this.settle(0);
  }

  /** Marks the dataset ready; `files` are this import's reports, added to any the dataset had. */
  async finish(extra: Partial<Pick<DatasetInfo, 'files' | 'teacher' | 'runs' | 'provenance' | 'derivedFrom'>> = {}): Promise<DatasetInfo> {
    this.commit();
    await this.settle(0);
    this.db.close();
    const { lock: _held, rollback, ...info } = this.info;
    const files = [...(rollback?.files ?? []), ...(extra.files ?? [])];
    const ready: DatasetInfo = { ...info, ...extra, ...(files.length ? { files } : {}), status: 'ready', updatedAt: Date.now() };
    // Only once the catalog says ready does this writer stop being able to roll back (see abort()).
    await updateDataset(ready.id, (current) => {
      if (current?.status !== 'importing' || current.lock !== this.info.lock) throw new Error(`dataset ${ready.name} was deleted or taken over while importing`);
      return ready;
    });
    this.info = ready;
    return ready;
  }

  /** Removes what this writer wrote: the whole dataset if it was new, else only the chunks it added. */
  async abort(): Promise<void> {
    this.queued = [];
    await Promise.all(this.inFlight);
    this.inFlight = [];
    this.db.close();
    if (this.info.status === 'ready') return;
    if (this.info.rollback) await rollBackDataset(this.info);
    else await deleteDataset(this.info.id);
  }

  private async committed(rows: Record<TableName, number>, bytes: number, parts: PartBytes): Promise<void> {
    const counts = { ...this.info.counts };
    for (const t of Object.keys(rows) as TableName[]) counts[t] += rows[t];
    // A dataset stored before parts were counted keeps only its total: a split of the new chunks alone would mislead.
    const before = this.info.parts;
    const sum = before ? { ...before } : undefined;
    if (sum) for (const p of Object.keys(parts) as (keyof PartBytes)[]) sum[p] += parts[p];
    this.info = { ...this.info, counts, bytes: this.info.bytes + bytes, ...(sum ? { parts: sum } : {}), updatedAt: Date.now() };
    if (this.info.updatedAt - this.lastHeartbeat >= HEARTBEAT_MS) {
      this.lastHeartbeat = this.info.updatedAt;
      const info = this.info;
      await updateDataset(info.id, (current) => {
        if (current?.status !== 'importing') throw new Error(`dataset ${info.name} was deleted while it was being imported`);
        return info;
      });
    }
  }
}

function tableRange(table: TableName, from = 0): IDBKeyRange {
  return IDBKeyRange.bound([table, from], [table, Number.MAX_SAFE_INTEGER]);
}

/** Returns a dataset whose addition of files did not finish to its snapshot: extra chunks deleted, counts restored. */
export async function rollBackDataset(info: DatasetInfo): Promise<void> {
  const snap = info.rollback;
  if (!snap) throw new Error(`dataset ${info.id} has nothing to roll back to`);
  // Deleted meanwhile (another tab, the storage screen): there is nothing to return to, and opening its database
  // would only create an empty one.
  const current = await getDataset(info.id);
  if (!current || current.status === 'ready') return;
  const db = await openDatasetDb(info.id);
  try {
    const tx = db.transaction(CHUNKS, 'readwrite');
    for (const table of TABLES) tx.objectStore(CHUNKS).delete(tableRange(table, snap.chunks[table]));
    await transactionDone(tx);
  } finally {
    db.close();
  }
  const { rollback: _snap, lock: _lock, files: _files, teacher: _teacher, runs: _runs, parts: _parts, ...rest } = info;
  await updateDataset(info.id, (now) => {
    if (!now || now.status !== 'importing') throw new Error(`dataset ${info.name} changed while it was being rolled back`);
    return {
      ...rest,
      counts: snap.counts,
      bytes: snap.bytes,
      ...(snap.parts ? { parts: snap.parts } : {}),
      ...(snap.files ? { files: snap.files } : {}),
      ...(snap.teacher ? { teacher: snap.teacher } : {}),
      ...(snap.runs ? { runs: snap.runs } : {}),
      status: 'ready',
      updatedAt: Date.now(),
    };
  });
}

/**
 * Cleans up imports a closed tab or a crash cut off: a new dataset is removed, files being added to an existing
 * one are rolled back so it is as it was. Returns the ids it touched.
 */
export async function recoverUnfinishedDatasets(now = Date.now(), staleAfterMs = 60_000): Promise<string[]> {
  const abandoned = await abandonedImports(now, staleAfterMs);
  for (const d of abandoned) {
    if (d.rollback) await rollBackDataset(d);
    else await deleteDataset(d.id);
  }
  return abandoned.map((d) => d.id);
}

/** Every stored chunk of one table in order, one at a time (for tables too large to hold twice); `visit` may wait. */
export async function forEachChunk<T extends TableName>(id: string, table: T, visit: (columns: TableColumns[T]) => void | Promise<void>): Promise<void> {
  const db = await openDatasetDb(id);
  try {
    for (let index = 0; ; index++) {
      const tx = db.transaction(CHUNKS, 'readonly');
      const chunk = (await requestToPromise(tx.objectStore(CHUNKS).get([table, index]))) as Chunk<T> | undefined;
      if (!chunk) return;
      await visit(chunk.columns);
    }
  } finally {
    db.close();
  }
}

function asStorageError(err: unknown): Error {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError') {
    return new StorageFullError("the browser's storage for this page is full (quota exceeded); what this import had written was removed. Delete datasets under Storage, or free disk space, and import again");
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Reads a whole table of a ready dataset into one set of columns (null when the table is empty). */
export async function readTable<T extends TableName>(id: string, table: T): Promise<TableColumns[T] | null> {
  const info = await getDataset(id);
  if (!info) throw new Error(`dataset ${id} does not exist`);
  if (info.status !== 'ready') throw new Error(`dataset ${id} is not completely imported`);
  const db = await openDatasetDb(id);
  try {
    const tx = db.transaction(CHUNKS, 'readonly');
    const chunks = (await requestToPromise(tx.objectStore(CHUNKS).getAll(tableRange(table)))) as Chunk<T>[];
    chunks.sort((a, b) => a.index - b.index);
    return chunks.length === 0 ? null : concatChunks(table, chunks.map((c) => c.columns));
  } finally {
    db.close();
  }
}

/** The first chunk of a table, for showing sample rows without reading the whole table. */
export function readFirstChunk<T extends TableName>(id: string, table: T): Promise<TableColumns[T] | null> {
  return readChunk(id, table, 0);
}

/** Chunk `index` of a table (null when there is none), for reading a few rows without the whole table. */
export async function readChunk<T extends TableName>(id: string, table: T, index: number): Promise<TableColumns[T] | null> {
  const db = await openDatasetDb(id);
  try {
    const tx = db.transaction(CHUNKS, 'readonly');
    const chunk = (await requestToPromise(tx.objectStore(CHUNKS).get([table, index]))) as Chunk<T> | undefined;
    return chunk?.columns ?? null;
  } finally {
    db.close();
  }
}
