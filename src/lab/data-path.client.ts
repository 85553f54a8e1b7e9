/** Runs the data-path measurement in a worker of its own (the lab page has no training worker). */
import type { DataPathReply, DataPathRequest, DataPathResult } from './data-path';

export function dataPath(datasetId: string, seconds: number, config: DataPathRequest['config'] = {}): Promise<DataPathResult> {
  const worker = new Worker(new URL('./data-path.worker.ts', import.meta.url), { type: 'module', name: 'data-path' });
  return new Promise<DataPathResult>((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent<DataPathReply>) => {
      const msg = ev.data;
      if (msg.type === 'result') resolve(msg.result);
      else reject(new Error(msg.message));
    };
    worker.onerror = (ev) => reject(new Error(`the data-path worker failed: ${ev.message}`));
    const req: DataPathRequest = { type: 'measure', datasetId, seconds, config };
    worker.postMessage(req);
  }).finally(() => worker.terminate());
}
