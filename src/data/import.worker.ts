/// <reference lib="webworker" />
/** Message dispatch only; the work is in import.core.ts. */
import { importDemo, ImportCancelled } from './import.core';
import { parseImportRequest, type ImportEvent, type ImportResult } from './import.protocol';
import { errorMessage, idOf, type Reply } from '../util/rpc';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let current: { cancelled: boolean } | null = null;

function reply(msg: Reply<ImportResult>): void {
  scope.postMessage(msg);
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
      const id = req.id;
      if (current) {
        reply({ type: 'error', id, message: 'an import is already running' });
        return;
      }
      const signal = { cancelled: false };
      current = signal;
      const started = performance.now();
      importDemo({ seed: req.seed }, (p) => {
        const seconds = (performance.now() - started) / 1000;
        const event: ImportEvent = { type: 'progress', ...p, rate: seconds > 0 ? p.done / seconds : 0 };
        scope.postMessage(event);
      }, signal)
        .then((dataset) => reply({ type: 'result', id, payload: { dataset } }))
        .catch((err: unknown) => {
          if (err instanceof ImportCancelled) reply({ type: 'result', id, payload: { cancelled: true } });
          else reply({ type: 'error', id, message: errorMessage(err) });
        })
        .finally(() => {
          current = null;
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
