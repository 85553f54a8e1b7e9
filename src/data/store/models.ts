/**
 * The model library: pretrained checkpoints a person imported, kept in IndexedDB across reloads. The list (`models`)
 * holds what the page shows; the weights and vocabulary (`payloads`) are read only when a run starts from a model.
 * Both are written in one transaction, so a model is listed exactly when all of it is stored.
 */
import type { HfDense, HfDims, HfModelKind, HfModelType, HfPooling, HfWeight } from '../../export/hf-layout';
import { openDb, requestToPromise, transactionDone } from './idb';

const DB = 'margin-studio-models';
const LIST = 'models';
const PAYLOADS = 'payloads';

export interface ModelInfo {
  id: string;
  /** The folder's name as chosen. */
  name: string;
  addedAt: number;
  /** Bytes of the weights kept (float32). */
  bytes: number;
  type: HfModelType;
  kind: HfModelKind;
  /** The class it was saved from, e.g. `BertModel`. */
  architecture: string;
  dims: HfDims;
  parameters: number;
  pooling: HfPooling;
  normalize: boolean;
  /** Output size of a sentence-transformers Dense module, or null. */
  denseOut: number | null;
  lowercase: boolean;
  maxSeqLength: number | null;
  /** The id of the WordPiece tokenizer its vocab.txt makes (text/tokenizers.ts): datasets must carry the same. */
  tokenizer: string;
  storedAs: string;
}

export interface ModelPayload {
  id: string;
  vocab: string[];
  weights: ({ name: string } & HfWeight)[];
  dense: HfDense | null;
}

export type StoredModel = ModelInfo & Omit<ModelPayload, 'id'>;

function open(): Promise<IDBDatabase> {
  return openDb(DB, 1, (db) => {
    if (!db.objectStoreNames.contains(LIST)) db.createObjectStore(LIST, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(PAYLOADS)) db.createObjectStore(PAYLOADS, { keyPath: 'id' });
  });
}

async function withDb<T>(work: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

/** Stores a model whole, or nothing of it (one transaction; a quota error aborts it). */
export async function saveModel(model: StoredModel): Promise<void> {
  const { vocab, weights, dense, ...info } = model;
  await withDb(async (db) => {
    const tx = db.transaction([LIST, PAYLOADS], 'readwrite');
    const done = transactionDone(tx);
    tx.objectStore(PAYLOADS).put({ id: info.id, vocab, weights, dense } satisfies ModelPayload);
    tx.objectStore(LIST).put(info);
    await done;
  });
}

export async function listModels(): Promise<ModelInfo[]> {
  const all = await withDb((db) => requestToPromise(db.transaction(LIST).objectStore(LIST).getAll() as IDBRequest<ModelInfo[]>));
  return all.sort((a, b) => a.addedAt - b.addedAt);
}

export async function loadModel(id: string): Promise<StoredModel | undefined> {
  return withDb(async (db) => {
    const tx = db.transaction([LIST, PAYLOADS]);
    const [info, payload] = await Promise.all([
      requestToPromise(tx.objectStore(LIST).get(id) as IDBRequest<ModelInfo | undefined>),
      requestToPromise(tx.objectStore(PAYLOADS).get(id) as IDBRequest<ModelPayload | undefined>),
    ]);
    if (!info || !payload) return undefined;
    return { ...info, vocab: payload.vocab, weights: payload.weights, dense: payload.dense };
  });
}

export async function deleteModel(id: string): Promise<void> {
  await withDb(async (db) => {
    const tx = db.transaction([LIST, PAYLOADS], 'readwrite');
    const done = transactionDone(tx);
    tx.objectStore(LIST).delete(id);
    tx.objectStore(PAYLOADS).delete(id);
    await done;
  });
}
