/// <reference lib="webworker" />
/** Message dispatch only; the work is in import.core.ts. */
import { importDemo, importFiles, ImportCancelled, retokenizeDataset, storageWarning, type ImportProgress } from './import.core';
import { parseImportRequest, type ChosenFile, type ImportEvent, type ImportResult, type ImportResults } from './import.protocol';
import { idOf, Responder, type Reply } from '../util/rpc';
import { newId } from '../util/ids';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let current: { cancelled: boolean } | null = null;

/**
 * This importer's Web Lock, held for as long as the worker lives. Datasets it is writing carry the lock's name;
 * when the tab closes the lock goes with it, and the next page load knows those datasets were cut off.
 */
const LOCK = newId('margin-studio-importer');
const lockHeld: Promise<string | undefined> = scope.navigator.locks
  ? new Promise((resolve) => {
      void scope.navigator.locks.request(LOCK, () => {
        resolve(LOCK);
        return new Promise<never>(() => undefined);
      });
    })
  : Promise.resolve(undefined);

const respond = new Responder<ImportResults>((msg: Reply<unknown>, transfer) => scope.postMessage(msg, transfer));

function emit(event: ImportEvent): void {
  scope.postMessage(event);
}

const onProgress = (p: ImportProgress) => emit({ type: 'progress', ...p });

async function warnIfTooBig(files: readonly ChosenFile[]): Promise<void> {
  const storage = scope.navigator.storage;
  if (!storage?.estimate) return;
  const message = storageWarning(files.map((f) => f.file), await storage.estimate());
  if (message) emit({ type: 'notice', message });
}

function run(req: { id: number; type: 'load-demo' | 'import-files' | 'retokenize' }, work: (signal: { cancelled: boolean }, lock: string | undefined) => Promise<ImportResult>): void {
  if (current) {
    respond.error(req.id, new Error('an import is already running'));
    return;
  }
  const signal = { cancelled: false };
  current = signal;
  lockHeld
    .then((lock) => work(signal, lock))
    .then((payload) => respond.result(req, payload))
    .catch((err: unknown) => {
      if (err instanceof ImportCancelled) respond.result(req, { cancelled: true });
      else respond.error(req.id, err);
    })
    .finally(() => {
      current = null;
    });
}

scope.addEventListener('message', (ev: MessageEvent) => {
  let req;
  try {
    req = parseImportRequest(ev.data);
  } catch (err) {
    respond.error(idOf(ev.data), err);
    return;
  }
  switch (req.type) {
    case 'load-demo': {
      const seed = req.seed;
      run(req, async (signal, lock) => ({ dataset: await importDemo({ seed }, onProgress, signal, { lock }) }));
      return;
    }
    case 'import-files': {
      const { files, name, threshold, appendTo, tokenizer } = req;
      run(req, async (signal, lock) => {
        await warnIfTooBig(files);
        const id = appendTo ?? newId('files');
        return { dataset: await importFiles(files, { id, name, threshold, lock, tokenizer, append: appendTo !== undefined }, onProgress, signal) };
      });
      return;
    }
    case 'retokenize': {
      const { datasetId, vocab, name } = req;
      run(req, async (signal, lock) => ({ dataset: await retokenizeDataset(datasetId, vocab, { id: newId('files'), name, ...(lock ? { lock } : {}) }, onProgress, signal) }));
      return;
    }
    case 'cancel':
      if (current) current.cancelled = true;
      respond.result(req, { cancelled: true });
      return;
    default: {
      const unreachable: never = req;
      throw new Error(`unhandled request ${JSON.stringify(unreachable)}`);
    }
  }
});
