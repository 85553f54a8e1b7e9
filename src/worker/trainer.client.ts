/** The training API the page calls. */
import { WorkerClient, type WithoutId } from '../util/rpc';
import type { TrainerEvent, TrainerRequest, TrainerResults } from './protocol';

export type TrainerClient = WorkerClient<WithoutId<TrainerRequest>, TrainerResults, TrainerEvent>;

export function createTrainerClient(onCrash: (message: string) => void, onEvent: (ev: TrainerEvent) => void): TrainerClient {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
  return new WorkerClient(worker, onEvent, onCrash);
}
