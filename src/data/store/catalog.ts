/** The list of datasets. Only a dataset whose status is `ready` may be opened for training. */
import { CATALOG_DB, CATALOG_VERSION, datasetDbName, type DatasetInfo } from './schema';
import { deleteDb, openDb, requestToPromise, transactionDone } from './idb';
import { removeTrainingFiles } from '../rows/files.opfs';

const STORE = 'datasets';

function openCatalog(): Promise<IDBDatabase> {
  return openDb(CATALOG_DB, CATALOG_VERSION, (db) => {
    if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id' });
  });
}

async function withCatalog<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openCatalog();
  try {
    const tx = db.transaction(STORE, mode);
    const req = work(tx.objectStore(STORE));
    const [value] = await Promise.all([req ? requestToPromise(req) : Promise.resolve(undefined), transactionDone(tx)]);
    return value;
  } finally {
    db.close();
  }
}

export async function listDatasets(): Promise<DatasetInfo[]> {
  const all = (await withCatalog<DatasetInfo[]>('readonly', (s) => s.getAll() as IDBRequest<DatasetInfo[]>)) ?? [];
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

export async function getDataset(id: string): Promise<DatasetInfo | undefined> {
  return withCatalog<DatasetInfo>('readonly', (s) => s.get(id) as IDBRequest<DatasetInfo>);
}

export async function putDataset(info: DatasetInfo): Promise<void> {
  await withCatalog('readwrite', (s) => {
    s.put(info);
  });
}

/**
 * Reads and rewrites one entry in a single transaction, so that no other tab can change it in between.
 * `change` returns the new entry, or throws to leave it as it is.
 */
export async function updateDataset(id: string, change: (current: DatasetInfo | undefined) => DatasetInfo): Promise<DatasetInfo> {
  const db = await openCatalog();
  try {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const done = transactionDone(tx);
    let next: DatasetInfo | undefined;
    let failure: unknown = null;
    const req = store.get(id);
    req.onsuccess = () => {
      try {
        next = change(req.result as DatasetInfo | undefined);
        store.put(next);
      } catch (err) {
        failure = err;
        tx.abort();
      }
    };
    await done.catch((err: unknown) => {
      throw failure ?? err;
    });
    if (!next) throw new Error(`dataset ${id}: catalog update did not happen`);
    return next;
  } finally {
    db.close();
  }
}

/** Removes the catalog entry first, so that a crash half-way never leaves an entry pointing at missing data. */
export async function deleteDataset(id: string): Promise<void> {
  await withCatalog('readwrite', (s) => {
    s.delete(id);
  });
  await deleteDb(datasetDbName(id));
  await removeTrainingFiles(id);
}

interface LockManagerLike {
  query(): Promise<{ held?: { name?: string }[] }>;
}

/** Names of the Web Locks held anywhere in this origin, or null where the browser has no Web Locks. */
async function heldLocks(): Promise<Set<string> | null> {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  if (!locks) return null;
  const state = await locks.query();
  return new Set((state.held ?? []).map((l) => l.name ?? ''));
}

/**
 * Datasets still marked `importing` when nothing is importing them were cut off (a closed tab, a crash). An
 * importer holds a Web Lock for as long as it lives, in whichever tab, so "nobody holds its lock" is exact; without
 * Web Locks, a dataset silent for a minute counts.
 */
export async function abandonedImports(now = Date.now(), staleAfterMs = 60_000): Promise<DatasetInfo[]> {
  const held = await heldLocks();
  const abandoned = (d: DatasetInfo) => (held && d.lock ? !held.has(d.lock) : now - d.updatedAt > staleAfterMs);
  return (await listDatasets()).filter((d) => d.status !== 'ready' && abandoned(d));
}
