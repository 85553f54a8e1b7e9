/**
 * The model library: pretrained checkpoints a person imported, kept in IndexedDB across reloads. The list (`models`)
 * holds what the page shows; the vocabulary and the weights' layout (`payloads`) and the weights themselves
 * (`chunks`, at most CHUNK_FLOATS values a record) are read only when a run starts from a model.
 *
 * Models of any size: one record, or one transaction, holding a whole 66M-parameter model (254 MB) is what failed
 * in Chromium, and held the model several times over while it was cloned. Each chunk is written in a transaction of
 * its own, as the import produces it; the payload and the list entry are written last, together, so a model is
 * listed exactly when all of it is stored. A failed import removes the chunks it wrote; chunks a closed tab left
 * behind (no list entry) are swept before the next import, under a Web Lock so that no import's chunks in flight
 * are taken for leftovers.
 *
 * Version 1 kept the weights inside the payload record; such models still load (`weights` in the payload).
 */
import type { HfDense, HfDims, HfModelKind, HfModelType, HfPooling, HfWeight } from '../../export/hf-layout';
import { openDb, requestToPromise, transactionDone } from './idb';
import { ensureSpace, megabytes, storageEstimate, type SpaceEstimate } from './space';

const DB = 'margin-studio-models';
const VERSION = 2;
const LIST = 'models';
const PAYLOADS = 'payloads';
const CHUNKS = 'chunks';
const LOCK = 'margin-studio-model-library';

/** 4M float32 values, 16 MiB: records this size keep the copies IndexedDB makes while writing small. */
export const CHUNK_FLOATS = 4 * 1024 * 1024;

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

export type NamedWeight = { name: string } & HfWeight;

export interface ModelPayload {
  id: string;
  vocab: string[];
  weights: NamedWeight[];
  dense: HfDense | null;
}

export type StoredModel = ModelInfo & Omit<ModelPayload, 'id'>;

/** The payload as version 2 writes it: the weights' names and shapes, their values in `chunks` records. */
interface ChunkedPayload {
  id: string;
  vocab: string[];
  dense: HfDense | null;
  tensors: { name: string; shape: number[] }[];
  chunks: number;
}

/** Values `offset ..` of tensor `tensor` (by its index in the payload's list), chunk `index` of model `model`. */
interface ChunkRecord {
  model: string;
  index: number;
  tensor: number;
  offset: number;
  data: Float32Array;
}

/** What a model is stored from: its weights come one by one, each read (or widened) just before it is written. */
export interface ModelContents {
  vocab: string[];
  dense: HfDense | null;
  weights: AsyncIterable<NamedWeight> | Iterable<NamedWeight>;
}

function open(): Promise<IDBDatabase> {
  return openDb(DB, VERSION, (db) => {
    if (!db.objectStoreNames.contains(LIST)) db.createObjectStore(LIST, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(PAYLOADS)) db.createObjectStore(PAYLOADS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(CHUNKS)) db.createObjectStore(CHUNKS, { keyPath: ['model', 'index'] });
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

function chunksOf(id: string): IDBKeyRange {
  return IDBKeyRange.bound([id, 0], [id, Infinity]);
}

/** One model's writes at a time across tabs and workers, where the browser has Web Locks. */
async function exclusively<T>(work: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return locks ? await locks.request(LOCK, work) : work();
}

function errorName(err: unknown): unknown {
  return (err as { name?: unknown } | null)?.name;
}

/** A store's refusal in words: the quota error says how much the model needed and what the page had. */
async function storeError(err: unknown, name: string, bytes: number, estimate: () => Promise<SpaceEstimate | null>): Promise<Error> {
  if (errorName(err) !== 'QuotaExceededError') return err instanceof Error ? err : new Error(String(err));
  const e = await estimate();
  const room = e?.quota !== undefined && e.usage !== undefined ? ` (${megabytes(e.usage)} of the page's ${megabytes(e.quota)} quota in use)` : '';
  return new Error(`the model "${name}" needs about ${megabytes(bytes)} of storage and the browser refused it: its storage for this page is full${room}. What this import had written was removed; delete models or datasets, or free disk space, and import again`);
}

async function removeModelData(db: IDBDatabase, ids: readonly string[], withList: boolean): Promise<void> {
  const tx = db.transaction([LIST, PAYLOADS, CHUNKS], 'readwrite');
  const done = transactionDone(tx);
  for (const id of ids) {
    if (withList) tx.objectStore(LIST).delete(id);
    tx.objectStore(PAYLOADS).delete(id);
    tx.objectStore(CHUNKS).delete(chunksOf(id));
  }
  await done;
}

/** Chunks and payloads with no list entry: an import cut off by a closed tab. Call only under the lock. */
async function sweepLeftovers(db: IDBDatabase): Promise<void> {
  const tx = db.transaction([LIST, PAYLOADS, CHUNKS]);
  const [listed, payloads, chunkKeys] = await Promise.all([
    requestToPromise(tx.objectStore(LIST).getAllKeys()),
    requestToPromise(tx.objectStore(PAYLOADS).getAllKeys()),
    requestToPromise(tx.objectStore(CHUNKS).getAllKeys()),
  ]);
  const kept = new Set(listed.map(String));
  const owners = [...payloads.map(String), ...chunkKeys.map((k) => String((k as [string, number])[0]))];
  const orphans = [...new Set(owners)].filter((id) => !kept.has(id));
  if (orphans.length > 0) await removeModelData(db, orphans, false);
}

async function putChunk(db: IDBDatabase, record: ChunkRecord): Promise<void> {
  const tx = db.transaction(CHUNKS, 'readwrite');
  const done = transactionDone(tx);
  tx.objectStore(CHUNKS).put(record);
  await done;
}

/** Bytes the vocabulary and layout take beside the weights, roughly (IndexedDB keeps strings as UTF-16). */
function extraBytes(contents: Pick<ModelContents, 'vocab' | 'dense'>): number {
  let n = 0;
  for (const token of contents.vocab) n += 2 * token.length + 16;
  if (contents.dense) n += 4 * (contents.dense.weight.data.length + (contents.dense.bias?.data.length ?? 0));
  return n;
}

/**
 * Stores a model chunk by chunk, listing it last; on any failure nothing of it is kept. The space it needs
 * (`info.bytes` and its vocabulary) is asked for first, and a store that cannot take it is refused in words.
 */
export async function storeModel(info: ModelInfo, contents: ModelContents, estimate: () => Promise<SpaceEstimate | null> = storageEstimate): Promise<void> {
  const need = info.bytes + extraBytes(contents);
  await ensureSpace(need, `the model "${info.name}" needs`, 'Delete models or datasets, or free disk space, and import again', estimate);
  await exclusively(() =>
    withDb(async (db) => {
      await sweepLeftovers(db);
      const tensors: ChunkedPayload['tensors'] = [];
      let index = 0;
      try {
        for await (const w of contents.weights) {
          const count = w.shape.reduce((a, b) => a * b, 1);
          if (count !== w.data.length) throw new Error(`weight ${w.name}: shape [${w.shape.join(', ')}] holds ${count} values, the data has ${w.data.length}`);
          tensors.push({ name: w.name, shape: w.shape });
          // A tensor of no values still gets its one (empty) chunk, so that every tensor has at least one.
          const pieces = Math.max(1, Math.ceil(count / CHUNK_FLOATS));
          for (let p = 0; p < pieces; p++) {
            const offset = p * CHUNK_FLOATS;
            const end = Math.min(count, offset + CHUNK_FLOATS);
            // A view is cloned with its whole buffer: a part of a larger tensor is copied out first.
            const whole = pieces === 1 && w.data.byteOffset === 0 && w.data.buffer.byteLength === w.data.byteLength;
            const data = whole ? w.data : w.data.slice(offset, end);
            await putChunk(db, { model: info.id, index: index++, tensor: tensors.length - 1, offset, data });
          }
        }
        const tx = db.transaction([LIST, PAYLOADS], 'readwrite');
        const done = transactionDone(tx);
        tx.objectStore(PAYLOADS).put({ id: info.id, vocab: contents.vocab, dense: contents.dense, tensors, chunks: index } satisfies ChunkedPayload);
        tx.objectStore(LIST).put(info);
        await done;
      } catch (err) {
        await removeModelData(db, [info.id], true).catch(() => undefined);
        throw await storeError(err, info.name, need, estimate);
      }
    }),
  );
}

/** Stores a model held in memory whole (tests, and callers that have it already). */
export function saveModel(model: StoredModel): Promise<void> {
  const { vocab, weights, dense, ...info } = model;
  return storeModel(info, { vocab, dense, weights });
}

export async function listModels(): Promise<ModelInfo[]> {
  const all = await withDb((db) => requestToPromise(db.transaction(LIST).objectStore(LIST).getAll() as IDBRequest<ModelInfo[]>));
  return all.sort((a, b) => a.addedAt - b.addedAt);
}

function isChunked(payload: ModelPayload | ChunkedPayload): payload is ChunkedPayload {
  return 'chunks' in payload;
}

/** Every chunk of a model, in order, through one cursor (no await inside, so the transaction stays open). */
function readChunks(db: IDBDatabase, id: string, visit: (chunk: ChunkRecord) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(CHUNKS);
    const req = tx.objectStore(CHUNKS).openCursor(chunksOf(id));
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return;
      try {
        visit(cursor.value as ChunkRecord);
      } catch (err) {
        tx.abort();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      cursor.continue();
    };
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB: reading the model failed'));
  });
}

async function chunkedWeights(db: IDBDatabase, info: ModelInfo, payload: ChunkedPayload): Promise<NamedWeight[]> {
  const weights = payload.tensors.map((t) => ({ name: t.name, shape: t.shape, data: new Float32Array(t.shape.reduce((a, b) => a * b, 1)) }));
  const filled = new Array<number>(weights.length).fill(0);
  let seen = 0;
  await readChunks(db, info.id, (c) => {
    const w = weights[c.tensor];
    if (!w || c.offset + c.data.length > w.data.length) throw new Error(`model "${info.name}": chunk ${c.index} does not fit its weight; the stored model is damaged, delete it and import it again`);
    w.data.set(c.data, c.offset);
    filled[c.tensor] = (filled[c.tensor] as number) + c.data.length;
    seen++;
  });
  const short = weights.findIndex((w, i) => filled[i] !== w.data.length);
  if (seen !== payload.chunks || short >= 0) {
    throw new Error(`model "${info.name}": ${seen} of its ${payload.chunks} stored chunks were found${short >= 0 ? ` (${weights[short]!.name} incomplete)` : ''}; the stored model is damaged, delete it and import it again`);
  }
  return weights;
}

export async function loadModel(id: string): Promise<StoredModel | undefined> {
  return withDb(async (db) => {
    const tx = db.transaction([LIST, PAYLOADS]);
    const [info, payload] = await Promise.all([
      requestToPromise(tx.objectStore(LIST).get(id) as IDBRequest<ModelInfo | undefined>),
      requestToPromise(tx.objectStore(PAYLOADS).get(id) as IDBRequest<ModelPayload | ChunkedPayload | undefined>),
    ]);
    if (!info || !payload) return undefined;
    const weights = isChunked(payload) ? await chunkedWeights(db, info, payload) : payload.weights;
    return { ...info, vocab: payload.vocab, weights, dense: payload.dense };
  });
}

/** A stored model's list entry alone (its name, kind, pooling, sizes), without its vocabulary or weights. */
export async function getModelInfo(id: string): Promise<ModelInfo | undefined> {
  return withDb((db) => requestToPromise(db.transaction(LIST).objectStore(LIST).get(id) as IDBRequest<ModelInfo | undefined>));
}

/** A stored model's vocabulary alone, without reading its weights (tokenizing a dataset for it). */
export async function loadModelVocab(id: string): Promise<string[] | undefined> {
  return withDb(async (db) => {
    const tx = db.transaction([LIST, PAYLOADS]);
    const [info, payload] = await Promise.all([
      requestToPromise(tx.objectStore(LIST).getKey(id)),
      requestToPromise(tx.objectStore(PAYLOADS).get(id) as IDBRequest<ModelPayload | ChunkedPayload | undefined>),
    ]);
    return info === undefined || !payload ? undefined : payload.vocab;
  });
}

/** Removes a model: its list entry, payload and every chunk, in one transaction. */
export async function deleteModel(id: string): Promise<void> {
  await withDb((db) => removeModelData(db, [id], true));
}
