/// <reference lib="webworker" />
/** Message dispatch only; the work is in import.core.ts. */
import { importDemo, importFiles, ImportCancelled, storageWarning, type ImportProgress } from './import.core';
import { parseImportRequest, type ChosenFile, type ImportEvent, type ImportResult } from './import.protocol';
import { errorMessage, idOf, type Reply } from '../util/rpc';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let current: { cancelled: boolean } | null = null;

/**
 * This importer's Web Lock, held for as long as the worker lives. Datasets it is writing carry the lock's name;
 * when the tab closes the lock goes with it, and the next page load knows those datasets were cut off.
 */
const LOCK = `margin-studio-importer:${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
const lockHeld: Promise<string | undefined> = scope.navigator.locks
  ? new Promise((resolve) => {
      void scope.navigator.locks.request(LOCK, () => {
        resolve(LOCK);
        return new Promise<never>(() => undefined);
      });
    })
  : Promise.resolve(undefined);

function reply(msg: Reply<ImportResult>): void {
  scope.postMessage(msg);
}

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

function run(id: number, work: (signal: { cancelled: boolean }, lock: string | undefined) => Promise<ImportResult>): void {
  if (current) {
    reply({ type: 'error', id, message: 'an import is already running' });
    return;
  }
  const signal = { cancelled: false };
  current = signal;
  lockHeld
    .then((lock) => work(signal, lock))
    .then((payload) => reply({ type: 'result', id, payload }))
    .catch((err: unknown) => {
      if (err instanceof ImportCancelled) reply({ type: 'result', id, payload: { cancelled: true } });
      else reply({ type: 'error', id, message: errorMessage(err) });
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
    reply({ type: 'error', id: idOf(ev.data), message: errorMessage(err) });
    return;
  }
  switch (req.type) {
    case 'load-demo': {
      const seed = req.seed;
      run(req.id, async (signal, lock) => ({ dataset: await importDemo({ seed }, onProgress, signal, { lock }) }));
      return;
    }
    case 'import-files': {
      const { files, name, threshold, appendTo, tokenizer } = req;
      run(req.id, async (signal, lock) => {
        await warnIfTooBig(files);
        const id = appendTo ?? `files-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        return { dataset: await importFiles(files, { id, name, threshold, lock, tokenizer, append: appendTo !== undefined }, onProgress, signal) };
      });
      return;
    }
    case 'cancel':
      if (current) current.cancelled = true;
      reply({ type: 'result', id: req.id, payload: { cancelled: true } });
      return;
    default: {
      const unreachable: never = req;
      throw new Error(`unhandled request ${JSON.stringify(unreachable)}`);
    }
  }
});
