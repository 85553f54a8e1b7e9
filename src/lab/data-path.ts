/**
 * The training data path alone, with no model: batches of a run's shapes drawn by the run's sampler and read from
 * the dataset's training files, counted for a while. What `npm run bench:scale` reports as triples per second.
 */
import { getDataset } from '../data/store/catalog';
import { BatchSampler, splitProbe, type TrainingData } from '../train/batches';
import { batchLengthsOf, resolveRunConfig, type RunConfig } from '../config/run-config';
import { trainingData } from '../train/training-data';
import { Rng } from '../util/random';

export type DataPathRequest = { type: 'measure'; datasetId: string; seconds: number; config: Partial<RunConfig> };
export type DataPathReply = { type: 'result'; result: DataPathResult } | { type: 'error'; message: string };

export interface DataPathResult {
  /** Seconds to open (or build) the training files. */
  openSeconds: number;
  /** Seconds to split off the probe set and shuffle the first epoch: the rest of what a run waits for before step 1. */
  samplerSeconds: number;
  batches: number;
  triples: number;
  seconds: number;
  triplesPerSecond: number;
  batchSize: number;
  queryLength: number;
  passageLength: number;
}

/** Draws and reads batches for `seconds`; the token sum keeps the reads from being optimised away. */
export function timeBatches(data: TrainingData, sampler: BatchSampler, config: RunConfig, seconds: number): { batches: number; seconds: number; tokens: number } {
  const started = performance.now();
  let batches = 0;
  let tokens = 0;
  while (performance.now() - started < seconds * 1000) {
    const { queryLength, passageLength } = batchLengthsOf(config);
    const b = data.batch(sampler.next(), queryLength, passageLength);
    tokens += (b.pos[0] ?? 0) + (b.neg[b.neg.length - 1] ?? 0);
    batches++;
  }
  return { batches, seconds: (performance.now() - started) / 1000, tokens };
}

export async function measureDataPath(req: DataPathRequest): Promise<DataPathResult> {
  const config = resolveRunConfig(req.config);
  const info = await getDataset(req.datasetId);
  if (!info) throw new Error(`dataset ${req.datasetId} does not exist`);
  const t0 = performance.now();
  const data = await trainingData(info, config, () => undefined);
  try {
    const t1 = performance.now();
    const split = splitProbe(data, config.probeSize, config.seed);
    const sampler = new BatchSampler(split.train, config.batchSize, new Rng(config.seed));
    const t2 = performance.now();
    const t = timeBatches(data, sampler, config, req.seconds);
    return {
      openSeconds: (t1 - t0) / 1000,
      samplerSeconds: (t2 - t1) / 1000,
      batches: t.batches,
      triples: t.batches * config.batchSize,
      seconds: t.seconds,
      triplesPerSecond: (t.batches * config.batchSize) / t.seconds,
      batchSize: config.batchSize,
      queryLength: config.queryLength,
      passageLength: config.passageLength,
    };
  } finally {
    data.close();
  }
}
