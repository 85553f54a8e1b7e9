/** The import API the page calls. */
import { WorkerClient, type WithoutId } from '../util/rpc';
import type { ImportEvent, ImportRequest, ImportResults } from './import.protocol';

export type ImportClient = WorkerClient<WithoutId<ImportRequest>, ImportResults, ImportEvent>;

export function createImportClient(onCrash: (message: string) => void, onEvent: (ev: ImportEvent) => void): ImportClient {
  const worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
  return new WorkerClient(worker, onEvent, onCrash);
}
