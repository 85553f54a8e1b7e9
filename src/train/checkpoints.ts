/**
 * Training checkpoints in IndexedDB: everything a run needs to continue exactly where it was (weights, Adam's
 * moments and step count, the sampler's shuffle state, position and generator state, the config and the loss history).
 * One record per run, replaced at each checkpoint; finished runs keep theirs until pruned.
 */
import { openDb, requestToPromise, transactionDone } from '../data/store/idb';
import type { RunConfig } from '../config/run-config';
import type { SamplerState } from './batches';

const DB = 'margin-studio-checkpoints';
const STORE = 'checkpoints';
/** Checkpoints of this many most recent runs are kept; older ones are deleted at each new checkpoint. */
export const KEEP_CHECKPOINTS = 3;

export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** A weight with the name the student gives it: snapshots are matched to students by name, never by position. */
export interface NamedTensorData extends TensorData {
  name: string;
}

export interface TrainerSnapshot {
  config: RunConfig;
  stepsDone: number;
  sampler: SamplerState;
  /** The student's weights by name. */
  weights: NamedTensorData[];
  /** Adam: steps taken and the first and second moments of each weight, in the order of `weights`. */
  optimizer: { iterations: number; first: TensorData[]; second: TensorData[] };
}

export interface Checkpoint {
  runId: string;
  datasetId: string;
  /** `running` until the run ends; only such checkpoints are offered for resuming. */
  status: 'running' | 'finished';
  savedAt: number;
  /** Losses of steps 1..stepsDone, so the chart continues where it was. */
  losses: Float32Array;
  snapshot: TrainerSnapshot;
}

function open(): Promise<IDBDatabase> {
  return openDb(DB, 1, (db) => {
    if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'runId' });
  });
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | null): Promise<T | undefined> {
  const db = await open();
  try {
    const tx = db.transaction(STORE, mode);
    const req = work(tx.objectStore(STORE));
    const result = req ? await requestToPromise(req) : undefined;
    await transactionDone(tx);
    return result;
  } finally {
    db.close();
  }
}

/** Bytes of tensor data in a checkpoint (IndexedDB's own overhead aside). */
export function checkpointBytes(c: Pick<Checkpoint, 'losses' | 'snapshot'>): number {
  const sum = (ts: TensorData[]) => ts.reduce((n, t) => n + t.data.byteLength, 0);
  const s = c.snapshot;
  return sum(s.weights) + sum(s.optimizer.first) + sum(s.optimizer.second) + (s.sampler.order?.byteLength ?? 0) + c.losses.byteLength;
}

export async function saveCheckpoint(c: Checkpoint): Promise<void> {
  await withStore('readwrite', (store) => store.put(c));
  await pruneCheckpoints(c.runId);
}

export async function loadCheckpoint(runId: string): Promise<Checkpoint | undefined> {
  return withStore<Checkpoint>('readonly', (store) => store.get(runId));
}

/** Summaries of every stored checkpoint, newest first (without their tensors). */
export async function listCheckpoints(): Promise<{ runId: string; datasetId: string; status: Checkpoint['status']; savedAt: number; step: number; config: RunConfig }[]> {
  const all = (await withStore<Checkpoint[]>('readonly', (store) => store.getAll())) ?? [];
  return all.map((c) => ({ runId: c.runId, datasetId: c.datasetId, status: c.status, savedAt: c.savedAt, step: c.snapshot.stepsDone, config: c.snapshot.config })).sort((a, b) => b.savedAt - a.savedAt);
}

export async function markFinished(runId: string): Promise<void> {
  const c = await loadCheckpoint(runId);
  if (c) await withStore('readwrite', (store) => store.put({ ...c, status: 'finished' }));
}

export async function deleteCheckpoint(runId: string): Promise<void> {
  await withStore('readwrite', (store) => store.delete(runId));
}

/** Keeps the newest KEEP_CHECKPOINTS runs' checkpoints (and always `keep`). */
export async function pruneCheckpoints(keep: string): Promise<void> {
  const all = await listCheckpoints();
  const doomed = all.filter((c) => c.runId !== keep).slice(KEEP_CHECKPOINTS - 1);
  for (const c of doomed) await deleteCheckpoint(c.runId);
}
